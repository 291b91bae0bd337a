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

/**
 * Makes `target` render as `view(target)` wherever it is printed or
 * serialized: `console.log`, `Deno.inspect`, `node:util` `inspect` and
 * `JSON.stringify`. For objects whose other fields are worth seeing.
 */
export function renderAs<T extends object>(target: T, view: (self: T) => unknown): void {
  const hooks: [PropertyKey, (this: T, ...args: never[]) => unknown][] = [
    [
      Symbol.for("Deno.customInspect"),
      function (this: T, inspect: (v: unknown, o: unknown) => string, options: unknown) {
        return inspect(view(this), options);
      },
    ],
    // Node inspects a non-string result in turn, with the caller's options.
    [Symbol.for("nodejs.util.inspect.custom"), function (this: T) {
      return view(this);
    }],
    ["toJSON", function (this: T) {
      return view(this);
    }],
  ];
  for (const [key, value] of hooks) {
    Object.defineProperty(target, key, { value, enumerable: false });
  }
}
