"""The suite file: its model, YAML with line numbers, case files, scorer entries, templates, and loading.
Knows files, YAML and templates; never calls a model."""
