/**
 * Documents on the resident's screen (docs/documents.md, "In the call"): kiosk.js hands it the socket's document
 * frames (`document`, `scan`, `print_job`, `peripherals`) and the snapshot's `peripherals`; this module follows the
 * screen through <body data-screen> and shows, on the call screen, one document action and its progress:
 *   « Numériser un document » when the kiosk has a scanner its bridge reports ready → `scan.request`;
 *   otherwise « Photographier un document »: a framed still of the camera, as a JPEG, POSTed over HTTP;
 *   the prints the agent sends, from queued to « prenez-le dans le bac »;
 * and, on the rating screen, « Imprimer un reçu » (`receipt.print`) when the kiosk can print.
 * Every word comes from <template id="kiosk-document-strings">; the server's own French messages are shown as
 * they come. Nothing is kept: `wipe()` empties what it showed (kiosk.js reloads the page just after).
 * For the browser suite, the panel carries data-state (idle | requested | scanning | uploading | done | failed).
 */

import { fillIn, readWords } from "../visiorelais/words.js";
import { $, role } from "./screens.js";

/** The largest rectangle of A4 proportions (portrait) that fits 80 % of a `width` × `height` picture, centred. */
export function a4Frame(width, height) {
  const ratio = 210 / 297;
  let frameHeight = height * 0.8;
  let frameWidth = frameHeight * ratio;
  if (frameWidth > width * 0.8) {
    frameWidth = width * 0.8;
    frameHeight = frameWidth / ratio;
  }
  return {
    x: Math.round((width - frameWidth) / 2),
    y: Math.round((height - frameHeight) / 2),
    width: Math.round(frameWidth),
    height: Math.round(frameHeight),
  };
}

export class KioskDocuments {
  /**
   * @param {object} options
   * @param {(message: object) => boolean} options.send  sends a frame on the kiosk socket
   * @param {() => (number|null)} options.callId  the kiosk's current (or just ended) call
   */
  constructor({ send, callId }) {
    this.send = send;
    this.callId = callId;
    this.panel = role("kiosk-documents");
    this.words = readWords($("#kiosk-document-strings"));
    this.peripherals = null;
    this.inCall = false;
    this.hadCall = false;
    this.prints = new Map(); // document id → its print job, for this call
    this.receiptAsked = false;
    this.receiptId = null;
    this.photoSending = false;
    if (!this.panel) return;
    this.csrfToken = this.panel.dataset.csrfToken || "";
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-doc-action]");
      if (!button || button.disabled) return;
      const action = { scan: this.scan, photo: this.openPhoto, "photo-take": this.takePhoto,
        "photo-cancel": this.closePhoto, receipt: this.printReceipt }[button.dataset.docAction];
      if (action) action.call(this, button);
    });
    role("photo-dialog").addEventListener("close", () => this.stopPhotoPreview());
    new MutationObserver(() => this.onScreen(document.body.dataset.screen)).observe(document.body, {
      attributes: true,
      attributeFilter: ["data-screen"],
    });
  }

  t(key, params = {}) {
    return fillIn(this.words[key] ?? key, params);
  }

  // ---- What the kiosk can do --------------------------------------------------------------------------------

  setPeripherals(peripherals) {
    if (peripherals) this.peripherals = { ...peripherals };
    this.render();
  }

  onPeripherals(frame) {
    // A report just came from the bridge: it is there.
    this.peripherals = { ...(this.peripherals || {}), scanner: frame.scanner, printer: frame.printer, online: true };
    this.render();
  }

  canScan() {
    const p = this.peripherals;
    return Boolean(p && p.has_scanner && p.online && p.scanner && p.scanner.present && p.scanner.ready);
  }

  canPrint() {
    const p = this.peripherals;
    return Boolean(p && p.has_printer && p.online && p.printer && p.printer.present && p.printer.ready);
  }

  missingLine() {
    const p = this.peripherals || {};
    const lines = [];
    if (!p.has_scanner && !p.has_printer) return this.t("missing.nothing");
    if (p.has_scanner && !this.canScan()) lines.push(this.t("missing.scanner_down"));
    if (!p.has_printer) lines.push(this.t("missing.printer"));
    else if (!this.canPrint()) lines.push(this.t("missing.printer_down"));
    return lines.join(" ");
  }

  // ---- Following the screens -----------------------------------------------------------------------------------

  onScreen(screen) {
    if (screen === "call" && !this.inCall) {
      this.inCall = true;
      this.hadCall = true;
      this.setState("idle");
    } else if (screen !== "call" && this.inCall) {
      this.inCall = false;
      this.closePhoto();
    }
    this.render();
  }

  render() {
    if (!this.panel) return;
    const busy = ["requested", "scanning", "uploading"].includes(this.panel.dataset.state) || this.photoSending;
    const scanButton = $('[data-doc-action="scan"]', this.panel);
    const photoButton = $('[data-doc-action="photo"]', this.panel);
    scanButton.hidden = !this.canScan();
    photoButton.hidden = this.canScan();
    scanButton.disabled = busy;
    photoButton.disabled = busy;
    role("documents-missing").textContent = this.peripherals ? this.missingLine() : "";
    const receipt = role("receipt");
    if (receipt) receipt.hidden = !(this.hadCall && this.canPrint() && this.callId() !== null);
  }

  setState(state) {
    if (this.panel) this.panel.dataset.state = state;
  }

  status(text) {
    role("documents-status").textContent = text;
  }

  // ---- Scanning --------------------------------------------------------------------------------------------

  scan() {
    const callId = this.callId();
    if (callId === null || !this.canScan()) return;
    if (!this.send({ type: "scan.request", call_id: callId })) return;
    this.setState("requested");
    this.status(this.t("scan.sent"));
    this.render();
  }

  onScan(frame) {
    if (frame.call_id !== this.callId()) return;
    this.setState(frame.state);
    if (frame.state === "scanning" && frame.pages > 0) {
      this.status(frame.pages === 1 ? this.t("scan.pages_one") : this.t("scan.pages_many", { n: frame.pages }));
    } else if (frame.state === "done") {
      this.status(frame.pages === 1 ? this.t("scan.done_one") : this.t("scan.done_many", { n: frame.pages }));
    } else {
      this.status(frame.message || (frame.state === "failed" ? this.t("scan.failed") : ""));
    }
    this.render();
  }

  // ---- Photographing -------------------------------------------------------------------------------------------

  openPhoto() {
    const stream = role("local-video") && role("local-video").srcObject;
    if (!stream) {
      this.status(this.t("photo.no_camera"));
      return;
    }
    const video = role("photo-video");
    video.srcObject = stream;
    video.play().catch(() => {});
    role("photo-dialog").showModal();
  }

  stopPhotoPreview() {
    const video = role("photo-video");
    if (video) video.srcObject = null; // the call's own stream: its tracks go on
  }

  closePhoto() {
    const dialog = role("photo-dialog");
    if (dialog && dialog.open) dialog.close();
    this.stopPhotoPreview();
  }

  async takePhoto() {
    const video = role("photo-video");
    const callId = this.callId();
    if (!video.videoWidth || callId === null) return;
    const frame = a4Frame(video.videoWidth, video.videoHeight);
    const canvas = document.createElement("canvas");
    canvas.width = frame.width;
    canvas.height = frame.height;
    canvas.getContext("2d").drawImage(video, frame.x, frame.y, frame.width, frame.height, 0, 0, frame.width, frame.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    canvas.width = canvas.height = 0;
    this.closePhoto();
    if (!blob) return this.photoFailed(this.t("photo.failed"));
    this.photoSending = true;
    this.setState("uploading");
    this.status(this.t("photo.sending"));
    this.render();
    try {
      const response = await fetch(`/api/calls/${callId}/documents`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "image/jpeg",
          "X-CSRFToken": this.csrfToken,
          "X-Document-Name": encodeURIComponent(this.t("photo.name")),
        },
        body: blob,
      });
      if (!response.ok) {
        const answer = await response.json().catch(() => ({}));
        return this.photoFailed(answer.error || this.t("photo.failed"));
      }
      this.setState("done");
      this.status(this.t("photo.done"));
    } catch (error) {
      this.photoFailed(this.t("photo.failed"));
    } finally {
      this.photoSending = false;
      this.render();
    }
  }

  photoFailed(message) {
    this.setState("failed");
    this.status(message);
  }

  // ---- Prints and the receipt ----------------------------------------------------------------------------------

  onDocument(frame) {
    const doc = frame.document;
    if (!doc || doc.call_id !== this.callId() || doc.direction !== "print") return;
    if (this.receiptAsked && !this.inCall && this.receiptId === null) this.receiptId = doc.id;
    if (doc.print_job) this.onPrintJob({ document_id: doc.id, print_job: doc.print_job }, { fresh: true });
  }

  onPrintJob(frame, { fresh = false } = {}) {
    const job = frame.print_job;
    if (!job) return;
    if (frame.document_id === this.receiptId) {
      const line = role("receipt-status");
      if (job.state === "done") line.textContent = this.t("receipt.done");
      else if (job.state === "failed") line.textContent = job.message || this.t("receipt.failed");
      else line.textContent = this.t("receipt.printing");
      line.dataset.state = job.state;
      return;
    }
    if (!fresh && !this.prints.has(frame.document_id)) return;
    this.prints.set(frame.document_id, job);
    const line = role("documents-print");
    line.dataset.state = job.state;
    if (job.state === "done") line.textContent = this.t("print.done");
    else if (job.state === "failed") line.textContent = job.message || this.t("print.failed");
    else if (job.state === "printing") line.textContent = this.t("print.printing");
    else line.textContent = `${this.t("print.incoming")} ${this.t("print.printing")}`;
  }

  printReceipt(button) {
    const callId = this.callId();
    if (callId === null || this.receiptAsked) return;
    if (!this.send({ type: "receipt.print", call_id: callId })) return;
    this.receiptAsked = true;
    button.disabled = true;
    role("receipt-status").textContent = this.t("receipt.printing");
  }

  // ---- Frames from kiosk.js ----------------------------------------------------------------------------------

  onFrame(msg) {
    switch (msg.type) {
      case "scan":
        return this.onScan(msg);
      case "document":
        return this.onDocument(msg);
      case "print_job":
        return this.onPrintJob(msg);
      case "peripherals":
        return this.onPeripherals(msg);
      default:
        return undefined;
    }
  }

  /** Forgets every document of the call: the lines on screen, the print jobs, the photo preview. */
  wipe() {
    this.closePhoto();
    this.prints.clear();
    this.receiptId = null;
    this.receiptAsked = false;
    this.hadCall = false;
    for (const name of ["documents-status", "documents-print", "receipt-status"]) {
      const node = role(name);
      if (node) {
        node.textContent = "";
        delete node.dataset.state;
      }
    }
    this.setState("");
  }
}
