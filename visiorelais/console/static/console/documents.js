/**
 * Documents on the agent's console (docs/documents.md, "In the call"). console.js hands it the socket's document
 * frames (`document`, `scan`, `print_job`, `peripherals`) and a way to read the call on screen; this module follows
 * the console's phase (<… data-testid="console" data-phase>) and shows:
 *   in the ringing banner and the call, the kiosk's scanner and printer as its bridge last reported them;
 *   « Demander un scan » (a remote scan, `scan.request`) and the scan's progress;
 *   the scans received: a thumbnail per page (GET /api/documents/<id>/pages/<n>.png), view and download links;
 *   « Envoyer à imprimer »: a PDF, JPEG or PNG POSTed over HTTP (session + X-CSRFToken), then its print job live.
 * A reloaded console gets the call's documents back from the snapshot's `call.documents`.
 * Every word comes from <template id="console-document-strings">; the server's `{"error"}` sentences are shown as
 * they come.
 */

import { fillIn, readWords } from "../visiorelais/words.js";

const $ = (selector, root = document) => root.querySelector(selector);
const role = (name) => $(`[data-role="${name}"]`);
// Thumbnails of a long scan are fetched for the first pages only; the document itself has them all.
const THUMBNAILS_SHOWN = 12;

export class ConsoleDocuments {
  /**
   * @param {object} options
   * @param {(message: object) => boolean} options.send  sends a frame on the console socket
   * @param {() => {ringing: object|null, call: object|null}} options.calls  the calls on screen
   */
  constructor({ send, calls }) {
    this.send = send;
    this.calls = calls;
    this.panel = role("console-documents");
    this.words = readWords($("#console-document-strings"));
    this.callId = null;
    this.kioskId = null;
    this.health = null;
    this.documents = new Map(); // id → Document of the call on screen
    if (!this.panel) return;
    this.csrfToken = this.panel.dataset.csrfToken || "";
    const root = $('[data-testid="console"]');
    new MutationObserver(() => this.onPhase(root.dataset.phase)).observe(root, {
      attributes: true,
      attributeFilter: ["data-phase"],
    });
    $('[data-doc-action="remote-scan"]', this.panel).addEventListener("click", () => this.remoteScan());
    role("documents-print-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendToPrint();
    });
    this.onPhase(root.dataset.phase);
  }

  t(key, params = {}) {
    return fillIn(this.words[key] ?? key, params);
  }

  pages(count) {
    return count === 1 ? this.t("pages.one") : this.t("pages.many", { n: count });
  }

  // ---- Following the console's phase --------------------------------------------------------------------------

  onPhase(phase) {
    const { ringing, call } = this.calls();
    if (phase === "ringing" && ringing) {
      this.kioskId = ringing.peripherals_health ? ringing.peripherals_health.kiosk_id : null;
      this.health = ringing.peripherals_health || null;
    } else if (phase === "in-call" && call) {
      if (call.id !== this.callId) this.startCall(call);
    }
    this.renderHealth();
  }

  startCall(call) {
    this.callId = call.id;
    this.health = call.peripherals_health || this.health;
    this.kioskId = this.health ? this.health.kiosk_id : null;
    this.documents.clear();
    role("documents-received").replaceChildren();
    role("documents-sent").replaceChildren();
    role("documents-scan-status").textContent = "";
    this.error("");
    for (const doc of call.documents || []) this.addDocument(doc);
    this.renderEmpty();
    const remoteScan = $('[data-doc-action="remote-scan"]', this.panel);
    remoteScan.hidden = !(call.peripherals && call.peripherals.scanner);
  }

  // ---- The kiosk's peripherals ------------------------------------------------------------------------------------

  healthText() {
    const health = this.health;
    if (!health || (!health.scanner && !health.printer)) return this.t("bridge.unknown");
    if (health.online === false) return this.t("bridge.offline");
    const parts = [];
    const scanner = health.scanner;
    if (!scanner || !scanner.present) parts.push(this.t("scanner.absent"));
    else if (scanner.ready) parts.push(this.t("scanner.ready"));
    else if (scanner.detail === "busy") parts.push(this.t("scanner.busy"));
    else parts.push(this.t("scanner.not_ready", { detail: scanner.detail || "?" }));
    const printer = health.printer;
    if (!printer || !printer.present) parts.push(this.t("printer.absent"));
    else parts.push(this.t(printer.ready ? "printer.ready" : "printer.not_ready"));
    return parts.join(" · ");
  }

  renderHealth() {
    const text = this.healthText();
    const ready = Boolean(this.health && this.health.scanner && this.health.scanner.ready);
    for (const name of ["ringing-peripherals-health", "call-peripherals-health"]) {
      const node = role(name);
      if (!node) continue;
      if (node.textContent !== text) node.textContent = text;
      node.dataset.scannerReady = String(ready);
      node.dataset.printerReady = String(Boolean(this.health && this.health.printer && this.health.printer.ready));
    }
  }

  onPeripherals(frame) {
    if (this.kioskId !== null && frame.kiosk_id !== this.kioskId) return;
    this.kioskId = frame.kiosk_id;
    this.health = { ...frame, online: true };
    this.renderHealth();
  }

  // ---- Scans ------------------------------------------------------------------------------------------------

  remoteScan() {
    const { call } = this.calls();
    if (!call) return;
    this.error("");
    if (this.send({ type: "scan.request", call_id: call.id })) {
      role("documents-scan-status").textContent = this.t("scan.asked");
    }
  }

  onScan(frame) {
    if (frame.call_id !== this.callId) return;
    const line = role("documents-scan-status");
    line.dataset.state = frame.state;
    line.textContent = frame.message || "";
  }

  // ---- The call's documents --------------------------------------------------------------------------------

  addDocument(doc) {
    if (!doc || doc.call_id !== this.callId) return;
    const known = this.documents.has(doc.id);
    this.documents.set(doc.id, doc);
    if (doc.direction === "scan") {
      if (!known) role("documents-received").append(this.scanItem(doc));
    } else {
      let item = role("documents-sent").querySelector(`[data-document-id="${doc.id}"]`);
      if (!item) {
        item = this.printItem(doc);
        role("documents-sent").append(item);
      }
      if (doc.print_job) this.renderJob(item, doc.print_job);
    }
    this.renderEmpty();
  }

  renderEmpty() {
    role("documents-received-empty").hidden = role("documents-received").children.length > 0;
    role("documents-sent-empty").hidden = role("documents-sent").children.length > 0;
  }

  scanItem(doc) {
    const item = document.createElement("li");
    item.dataset.documentId = String(doc.id);
    item.dataset.pages = String(doc.pages);
    item.dataset.testid = "documents-received-item";
    const title = document.createElement("p");
    title.className = "document-name";
    title.textContent = this.t("document.label", { name: doc.name, pages: this.pages(doc.pages) });
    const content = `/api/documents/${doc.id}/content`;
    const links = document.createElement("p");
    links.className = "document-links";
    const view = document.createElement("a");
    view.href = `/api/documents/${doc.id}/pages/1.png`;
    view.target = "_blank";
    view.rel = "noopener";
    view.textContent = this.t("view");
    view.setAttribute("aria-label", `${this.t("view")} « ${doc.name} »`);
    const download = document.createElement("a");
    download.href = content;
    download.download = doc.name;
    download.textContent = this.t("download");
    download.setAttribute("aria-label", `${this.t("download")} « ${doc.name} »`);
    links.append(view, " · ", download);
    const pages = document.createElement("ol");
    pages.className = "thumbnails";
    for (let n = 1; n <= Math.min(doc.pages, THUMBNAILS_SHOWN); n += 1) {
      const page = document.createElement("li");
      const link = document.createElement("a");
      link.href = `/api/documents/${doc.id}/pages/${n}.png`;
      link.target = "_blank";
      link.rel = "noopener";
      const image = document.createElement("img");
      image.src = link.href;
      image.alt = this.t("page.alt", { n, name: doc.name });
      image.loading = "lazy";
      image.width = 100;
      image.dataset.testid = "documents-thumbnail";
      link.append(image);
      page.append(link);
      pages.append(page);
    }
    item.append(title, links, pages);
    return item;
  }

  printItem(doc) {
    const item = document.createElement("li");
    item.dataset.documentId = String(doc.id);
    item.dataset.pages = String(doc.pages);
    item.dataset.testid = "documents-sent-item";
    const title = document.createElement("span");
    title.className = "document-name";
    title.textContent = this.t("document.label", { name: doc.name, pages: this.pages(doc.pages) });
    const job = document.createElement("strong");
    job.className = "job-state";
    job.dataset.testid = "documents-job-state";
    item.append(title, " — ", job);
    return item;
  }

  renderJob(item, job) {
    // An HTTP answer may come after a newer `print_job` frame: a job never moves back on screen.
    const rank = { queued: 0, printing: 1, done: 2, failed: 2 };
    if (item.dataset.state && rank[job.state] < rank[item.dataset.state]) return;
    const line = item.querySelector(".job-state");
    item.dataset.state = job.state;
    line.dataset.state = job.state;
    line.textContent = job.state === "failed" ? this.t("job.failed", { message: job.message || "" }) : this.t(`job.${job.state}`);
  }

  onPrintJob(frame) {
    const doc = this.documents.get(frame.document_id);
    if (!doc) return;
    doc.print_job = frame.print_job;
    const item = role("documents-sent").querySelector(`[data-document-id="${doc.id}"]`);
    if (item) this.renderJob(item, frame.print_job);
  }

  // ---- Sending to print ------------------------------------------------------------------------------------------

  error(text) {
    role("documents-error").textContent = text;
  }

  async sendToPrint() {
    const { call } = this.calls();
    const input = $('[data-testid="documents-print-file"]', this.panel);
    const file = input.files && input.files[0];
    this.error("");
    if (!call) return;
    if (!file) return this.error(this.t("print.choose"));
    const submit = $('[data-testid="documents-print-submit"]', this.panel);
    submit.disabled = true;
    role("documents-scan-status").textContent = "";
    try {
      const response = await fetch(`/api/calls/${call.id}/documents`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": file.type || "application/octet-stream",
          "X-CSRFToken": this.csrfToken,
          "X-Document-Name": encodeURIComponent(file.name),
        },
        body: file,
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) return this.error(this.t("print.failed", { message: answer.error || response.status }));
      input.value = "";
      this.addDocument(answer);
    } catch (error) {
      this.error(this.t("print.failed", { message: this.t("network") }));
    } finally {
      submit.disabled = false;
    }
  }

  // ---- Frames from console.js ------------------------------------------------------------------------------------

  onFrame(msg) {
    switch (msg.type) {
      case "document":
        return this.addDocument(msg.document);
      case "scan":
        return this.onScan(msg);
      case "print_job":
        return this.onPrintJob(msg);
      case "peripherals":
        return this.onPeripherals(msg);
      default:
        return undefined;
    }
  }
}
