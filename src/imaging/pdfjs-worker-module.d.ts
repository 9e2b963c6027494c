// pdfjs-dist ships no types for its worker bundle; Docket only hands the module to pdf.js
// (globalThis.pdfjsWorker), which needs its WorkerMessageHandler export.
declare module "pdfjs-dist/legacy/build/pdf.worker.mjs" {
  export const WorkerMessageHandler: unknown;
}
