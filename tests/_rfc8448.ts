// Parses ../shared/vectors/rfc8448.txt into sections of steps with their hex
// fields, so tests read every value from the RFC text instead of retyping it.
import { readVectorText } from "./_vectors.ts";
import { fromHex } from "../src/_bytes.ts";
import { ContentType } from "../src/msgs/enums.ts";

/** One `{client}` / `{server}` step of a trace. */
export interface TraceStep {
  who: "client" | "server";
  /** The step's title, continuation lines joined, e.g. `derive secret "tls13 c hs traffic"`. */
  title: string;
  /** Labelled values in order; a label may repeat within a step. */
  fields: { label: string; value: Uint8Array }[];
}

/** Field `label` of a step (the first with that label); throws when missing. */
export function field(step: TraceStep, label: string): Uint8Array {
  const f = step.fields.find((x) => x.label === label);
  if (!f) throw new Error(`step "${step.title}" has no field "${label}"`);
  return f.value;
}

let cache: Map<number, TraceStep[]> | undefined;

/** Steps of RFC 8448 section `n` (2..7). */
export function rfc8448Section(n: number): TraceStep[] {
  cache ??= parse(readVectorText("rfc8448.txt"));
  const steps = cache.get(n);
  if (!steps) throw new Error(`RFC 8448 has no section ${n}`);
  return steps;
}

/**
 * Finds the step whose title starts with `prefix` (by `who`), the `index`-th
 * such step when several match.
 */
export function findStep(
  section: number,
  who: "client" | "server",
  prefix: string,
  index = 0,
): TraceStep {
  const matches = rfc8448Section(section).filter((s) =>
    s.who === who && s.title.startsWith(prefix)
  );
  if (matches.length <= index) {
    throw new Error(`no step ${who} "${prefix}" #${index} in section ${n(section)}`);
  }
  return matches[index];
}

function n(x: number): string {
  return String(x);
}

function parse(text: string): Map<number, TraceStep[]> {
  // Drop page footers/headers and form feeds so values continue across pages.
  // The blank lines around a page break go too: a blank line ends a field, and
  // a value printed across a page break must stay one value.
  const unpaged = text.replace(/\r\n/g, "\n").replace(
    /\n(?:[ \t]*\n)*Thomson\s+Informational\s+\[Page \d+\]\n\f?\n?(?:RFC 8448\s+TLS 1\.3 Traces\s+January 2019\n)?(?:[ \t]*\n)*/g,
    "\n",
  );
  const lines = unpaged.split("\n").filter((l) =>
    !/^Thomson\s+Informational\s+\[Page \d+\]$/.test(l) &&
    !/^RFC 8448\s+TLS 1\.3 Traces\s+January 2019$/.test(l) &&
    !l.startsWith("\f")
  );
  const sections = new Map<number, TraceStep[]>();
  let current: TraceStep[] | undefined;
  let step: TraceStep | undefined;
  let fieldOpen: { label: string; hex: string } | undefined;
  let titleOpen = false;

  const closeField = () => {
    if (fieldOpen && step) {
      step.fields.push({ label: fieldOpen.label, value: fromHex(fieldOpen.hex) });
    }
    fieldOpen = undefined;
  };

  for (const line of lines) {
    const sec = /^(\d+)\.\s{2}\S/.exec(line);
    if (sec) {
      closeField();
      current = [];
      sections.set(Number(sec[1]), current);
      step = undefined;
      titleOpen = false;
      continue;
    }
    const head = /^ {3}\{(client|server)\}\s+(.*)$/.exec(line);
    if (head && current) {
      closeField();
      step = { who: head[1] as "client" | "server", title: head[2].trim(), fields: [] };
      current.push(step);
      titleOpen = !head[2].trim().endsWith(":");
      if (!titleOpen) step.title = step.title.replace(/:$/, "");
      continue;
    }
    if (line.trim() === "") {
      closeField();
      titleOpen = false;
      continue;
    }
    if (!step) continue;
    if (titleOpen && /^ {6}\S/.test(line)) {
      step.title += " " + line.trim().replace(/:$/, "");
      if (line.trim().endsWith(":")) titleOpen = false;
      continue;
    }
    const f = /^ {6}([A-Za-z][A-Za-z ]*?)(?: \(\d+ octets\))?:\s+(.*)$/.exec(line);
    if (f) {
      closeField();
      const value = f[2].trim();
      if (/^([0-9a-f]{2}( |$))+$/.test(value)) fieldOpen = { label: f[1], hex: value };
      else if (value.startsWith("0 (all zero octets)")) {
        step.fields.push({ label: f[1], value: new Uint8Array(0) });
      } else if (value === "(empty)") step.fields.push({ label: f[1], value: new Uint8Array(0) });
      continue;
    }
    if (fieldOpen && /^ {9}[0-9a-f]{2}( [0-9a-f]{2})*$/.test(line)) {
      fieldOpen.hex += " " + line.trim();
    }
  }
  closeField();
  return sections;
}

const INNER_TYPE: Record<string, number> = {
  handshake: ContentType.handshake,
  application_data: ContentType.application_data,
  alert: ContentType.alert,
  change_cipher_spec: ContentType.change_cipher_spec,
};

export interface PrintedRecord {
  step: TraceStep;
  writer: "client" | "server";
  innerType: number;
  /** "handshake" | "application" | "early application", or undefined when in clear. */
  phase: string | undefined;
  key: Uint8Array | undefined;
  iv: Uint8Array | undefined;
  seq: bigint;
}

/**
 * The records of a section with the key each was protected under. The trace
 * establishes a writer's key epoch either in the writer's own "derive write
 * traffic keys" step or in the reader's "derive read traffic keys" step,
 * whichever comes first; sequence numbers count per writer and epoch.
 */
export function printedRecords(section: number): PrintedRecord[] {
  const steps = rfc8448Section(section);
  const epoch: Record<string, string | undefined> = { client: undefined, server: undefined };
  const seqs = new Map<string, bigint>();
  const keyStep = (writer: string, phase: string): TraceStep => {
    const s = steps.find((x) => {
      const m = /^derive (write|read) traffic keys for (.+) data$/.exec(x.title);
      if (!m || x.fields.length === 0 || m[2] !== phase) return false;
      return (m[1] === "write") === (x.who === writer);
    });
    if (!s) throw new Error(`section ${section}: no printed keys for ${writer} ${phase}`);
    return s;
  };
  const out: PrintedRecord[] = [];
  for (const step of steps) {
    const m = /^derive (write|read) traffic keys for (.+) data/.exec(step.title);
    if (m) {
      const writer = m[1] === "write" ? step.who : step.who === "client" ? "server" : "client";
      const order = ["early application", "handshake", "application"];
      // A later step for an epoch already reached is the other side's view of it.
      if (epoch[writer] === undefined || order.indexOf(m[2]) > order.indexOf(epoch[writer]!)) {
        epoch[writer] = m[2];
      }
      continue;
    }
    const r = /^send (\w+) record$/.exec(step.title);
    if (!r) continue;
    const complete = field(step, "complete record");
    const phase = complete[0] === ContentType.application_data ? epoch[step.who] : undefined;
    if (complete[0] === ContentType.application_data && phase === undefined) {
      throw new Error(`section ${section}: protected record before any key`);
    }
    const id = `${step.who} ${phase}`;
    const seq = seqs.get(id) ?? 0n;
    if (phase !== undefined) seqs.set(id, seq + 1n);
    const ks = phase === undefined ? undefined : keyStep(step.who, phase);
    out.push({
      step,
      writer: step.who,
      innerType: INNER_TYPE[r[1]],
      phase,
      key: ks && field(ks, "key expanded"),
      iv: ks && field(ks, "iv expanded"),
      seq,
    });
  }
  return out;
}
