// The workspace's own script: small, optional, never required. Pages work without it; with it,
// htmx takes over forms marked for autosave, and the CSS hides their "Save" buttons.
document.documentElement.classList.add("js");

// An autosave answers with the whole form, as it was when the save left. What was typed into
// the form while the save was on its way is not in that answer: it is carried over into the
// new form, which then saves again.
const sentValues = new Map();
const typedDuringSave = new Map();

function fieldValues(form) {
  const values = new Map();
  for (const field of form.elements) {
    if (!field.id || !field.name || field.type === "hidden") continue;
    values.set(field.id, field.type === "checkbox" ? field.checked : field.value);
  }
  return values;
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.target.closest && event.target.closest("form.autosave");
  if (form && form.id) sentValues.set(form.id, fieldValues(form));
});

document.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.target;
  if (!form || !sentValues.has(form.id)) return;
  const sent = sentValues.get(form.id);
  sentValues.delete(form.id);
  const typed = new Map();
  for (const [id, value] of fieldValues(form)) {
    if (sent.get(id) !== value) typed.set(id, value);
  }
  if (typed.size > 0) typedDuringSave.set(form.id, typed);
});

document.addEventListener("htmx:afterSettle", () => {
  for (const [formId, typed] of typedDuringSave) {
    typedDuringSave.delete(formId);
    const form = document.getElementById(formId);
    if (!form) continue;
    for (const [id, value] of typed) {
      const field = document.getElementById(id);
      if (!field) continue;
      if (field.type === "checkbox") field.checked = value;
      else field.value = value;
    }
    htmx.trigger(form, "change");
  }
});
