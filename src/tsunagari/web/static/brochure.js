// The brochure's print button: a file of its own, as the Content-Security-Policy runs no inline script.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
