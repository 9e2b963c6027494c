import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useApi } from "../api/api-context";
import { ApiError } from "../api/client";
import { keys } from "../api/keys";
import { FIELD_NAMES, type FieldChange, type FieldName, type FieldSource, type FieldsJson } from "../api/types";

/** A value the person typed or picked, not saved yet. */
export interface PendingEdit {
  value: string;
  /** Where on the page it was picked (undefined: typed). */
  source?: FieldSource | null;
}

export type Edits = Partial<Record<FieldName, PendingEdit>>;

/** What the last save or decision said, for the live region above the form. */
export type FormNotice =
  { kind: "saved" } | { kind: "conflict" } | { kind: "invalid" } | { kind: "error"; message: string };

export type Busy = "save" | "approve" | "reject" | null;

const isFieldName = (name: string): name is FieldName => (FIELD_NAMES as readonly string[]).includes(name);

/**
 * The review form's state over the server's fields: the person's pending edits (only fields
 * whose text differs from the server's), per-field errors, and the version the edits were
 * made against. That version — not whatever the live stream refetched since — goes in
 * If-Match, so a change made elsewhere while someone was typing answers 412 instead of being
 * silently overwritten; the form then reloads the fields and keeps the edits on screen.
 */
export function useReviewForm(documentId: string, fields: FieldsJson | undefined) {
  const api = useApi();
  const qc = useQueryClient();
  const [edits, setEditsState] = useState<Edits>({});
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [notice, setNotice] = useState<FormNotice | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  // Refs mirror the state for the handlers that run after awaits and from keyboard shortcuts.
  const editsRef = useRef<Edits>({});
  const busyRef = useRef<Busy>(null);
  const baseVersion = useRef<number | null>(null);
  const fieldsRef = useRef(fields);
  fieldsRef.current = fields;

  const setEdits = (next: Edits) => {
    editsRef.current = next;
    setEditsState(next);
  };
  const serverValue = (name: FieldName) => fieldsRef.current?.fields[name]?.value ?? "";

  const value = (name: FieldName) => edits[name]?.value ?? serverValue(name);

  const edit = (name: FieldName, text: string, source?: FieldSource | null) => {
    const next = { ...editsRef.current };
    if (text === serverValue(name) && source === undefined) delete next[name];
    else next[name] = source === undefined ? { value: text } : { value: text, source };
    if (baseVersion.current === null && fieldsRef.current) baseVersion.current = fieldsRef.current.version;
    setEdits(next);
    setErrors((e) => {
      if (!(name in e)) return e;
      const rest = { ...e };
      delete rest[name];
      return rest;
    });
  };

  const revert = (name: FieldName) => {
    if (!(name in editsRef.current)) return;
    const next = { ...editsRef.current };
    delete next[name];
    setEdits(next);
    if (Object.keys(next).length === 0) baseVersion.current = null;
    setErrors((e) => {
      const rest = { ...e };
      delete rest[name];
      return rest;
    });
  };

  const reload = async (): Promise<FieldsJson | undefined> => {
    await qc.invalidateQueries({ queryKey: keys.fields(documentId) });
    return qc.getQueryData<FieldsJson>(keys.fields(documentId));
  };

  /** Explains a failed call on the form; a 412 reloads and re-bases the edits on the new version. */
  const explain = async (error: unknown) => {
    if (error instanceof ApiError && error.status === 412) {
      setNotice({ kind: "conflict" });
      const fresh = await reload();
      if (fresh) baseVersion.current = Object.keys(editsRef.current).length > 0 ? fresh.version : null;
      return;
    }
    if (error instanceof ApiError && error.status === 400 && error.fields.length > 0) {
      const byField: Partial<Record<FieldName, string>> = {};
      for (const e of error.fields) {
        const name = e.field.replace(/^(body\.)?fields\./, "");
        if (isFieldName(name)) byField[name] = e.message;
      }
      if (Object.keys(byField).length > 0) {
        setErrors(byField);
        setNotice({ kind: "invalid" });
        return;
      }
    }
    setNotice({ kind: "error", message: error instanceof Error ? error.message : String(error) });
  };

  /** PATCHes the pending edits (if any); the fields afterwards, or null when it failed. */
  const saveEdits = async (): Promise<FieldsJson | null> => {
    const current = fieldsRef.current;
    if (!current) return null;
    const pending = Object.entries(editsRef.current) as [FieldName, PendingEdit][];
    if (pending.length === 0) return current;
    const body: Partial<Record<FieldName, FieldChange>> = {};
    for (const [name, e] of pending) {
      const text = e.value.trim() === "" ? null : e.value;
      body[name] = e.source === undefined || text === null ? text : { value: text, source: e.source };
    }
    const saved = await api.patchFields(documentId, baseVersion.current ?? current.version, body);
    qc.setQueryData(keys.fields(documentId), saved);
    fieldsRef.current = saved;
    setEdits({});
    baseVersion.current = null;
    setErrors({});
    return saved;
  };

  const run = async <T>(what: Exclude<Busy, null>, action: () => Promise<T>): Promise<T | null> => {
    if (busyRef.current) return null;
    busyRef.current = what;
    setBusy(what);
    setNotice(null);
    try {
      return await action();
    } catch (error) {
      await explain(error);
      return null;
    } finally {
      busyRef.current = null;
      setBusy(null);
    }
  };

  const save = () =>
    run("save", async () => {
      const saved = await saveEdits();
      if (saved) setNotice({ kind: "saved" });
      return saved;
    });

  /** Saves pending edits, then approves or rejects what was saved (If-Match: that version). */
  const decide = (decision: "approve" | "reject", note: string | null) =>
    run(decision, async () => {
      const saved = await saveEdits();
      if (!saved) return null;
      const decided = await api.review(documentId, decision, note, saved.version);
      qc.setQueryData(keys.fields(documentId), decided);
      void qc.invalidateQueries({ queryKey: keys.reviewAll });
      return decided;
    });

  return {
    edits,
    errors,
    notice,
    busy,
    value,
    edit,
    revert,
    save,
    decide,
    dirty: Object.keys(edits).length,
    dismissNotice: () => setNotice(null),
  };
}

export type ReviewForm = ReturnType<typeof useReviewForm>;
