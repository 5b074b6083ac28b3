/* harness HTML report, the loader: reads the run embedded in the page and starts the report with it.
   A small report embeds plain JSON; a large one embeds it gzip-compressed and base64-encoded
   (data-encoding="gzip-base64", harness_reporters/html.py: COMPRESS_ABOVE_BYTES), unpacked here with the
   browser's DecompressionStream (no network: a Blob's stream, read through a Response). */
function readData(start) {
  var node = document.getElementById("harness-data");
  var text = node.textContent || "";
  if (node.getAttribute("data-encoding") !== "gzip-base64") { start(JSON.parse(text)); return; }
  if (typeof DecompressionStream !== "function" || typeof Response !== "function") {
    unreadable("this browser cannot unpack it (it needs DecompressionStream: Chrome 80, Firefox 113 or Safari 16.4 and later)");
    return;
  }
  var binary = atob(text.replace(/\s+/g, ""));
  var bytes = new Uint8Array(binary.length);
  for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  new Response(stream).text().then(function (json) {
    /* outside the promise, so a failure in the report is an ordinary page error, not a silent rejection */
    setTimeout(function () { start(JSON.parse(json)); }, 0);
  }, function (error) { unreadable("its data is damaged (" + error + ")"); });
}
function unreadable(why) {
  var box = document.createElement("p");
  box.className = "err";
  box.setAttribute("role", "alert");
  box.textContent = "This report's data could not be read: " + why + ". results.json beside this file holds the same run.";
  document.querySelector("main").prepend(box);
  document.documentElement.setAttribute("data-ready", "error");
}
