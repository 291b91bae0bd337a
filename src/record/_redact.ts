// Keeps key material out of console output: objects holding secrets describe
// themselves through these hooks instead of having their fields printed.

/** Installs toString and the Deno / Node inspection hooks on `proto`. */
export function redactInspection(proto: object, describe: (self: never) => string): void {
  const fn = function (this: never): string {
    return describe(this);
  };
  for (const key of [Symbol.for("Deno.customInspect"), Symbol.for("nodejs.util.inspect.custom")]) {
    Object.defineProperty(proto, key, { value: fn, enumerable: false });
  }
  Object.defineProperty(proto, "toString", { value: fn, enumerable: false });
  Object.defineProperty(proto, "toJSON", { value: fn, enumerable: false });
}
