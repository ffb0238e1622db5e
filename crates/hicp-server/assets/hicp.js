// The workspace's own script: small, optional, never required. Pages work without it; with it,
// htmx takes over forms marked for autosave, and the CSS hides their "Save" buttons.
document.documentElement.classList.add("js");
