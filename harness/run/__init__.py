"""Running a suite: planning trials, executing calls, retries, scoring, storing, and one session end to end.
Turns a suite into stored outputs and scores; never formats anything for a person."""
