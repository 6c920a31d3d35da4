// The print buttons of receipts, notices and tickets (a page's own script: the CSP allows no
// inline handlers).
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
