// A save in the page editor waits for an autosave that is in flight.
//
// Wagtail 8's autosave creates a new page by a background request about half a
// second after the first change, and then points the form at the page's edit
// view. A "Save draft" (or "Publish", "Submit for approval") clicked while that
// request was still pending posted the create form a second time: the second
// create found the slug taken and failed with a server error. Here the submit
// is held until the autosave has answered and then sent again, to wherever the
// form points by then (the edit view once the page exists), with the same
// button, so nothing the author typed or chose is lost.
(() => {
  const autosaveOf = (form) =>
    window.wagtail?.app?.getControllerForElementAndIdentifier(form, "w-autosave");

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const autosave = form instanceof HTMLFormElement ? autosaveOf(form) : null;
      if (!autosave?.submitPromise) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      const submitter = event.submitter;
      autosave.submitPromise.then(() => {
        if (submitter) submitter.disabled = false;
        form.requestSubmit(submitter || undefined);
      });
    },
    true,
  );
})();
