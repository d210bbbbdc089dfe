// The "first data on screen" of the baseline: one line written by script once the page runs.
document.getElementById("data").textContent = "Ready";
document.getElementById("data").dataset.testid = "minimal-ready";
