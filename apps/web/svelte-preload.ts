/**
 * `bun test` preload: compiles Svelte rune modules (`*.svelte.ts` / `*.svelte.js`) the way
 * vite-plugin-svelte does, so that stores built on `$state` run under Bun's test runner.
 */
import { plugin } from "bun";
import { compileModule } from "svelte/compiler";

const transpiler = new Bun.Transpiler({ loader: "ts" });

plugin({
  name: "svelte-rune-modules",
  setup(build) {
    build.onLoad({ filter: /\.svelte\.[jt]s$/ }, async ({ path }) => {
      const source = await Bun.file(path).text();
      const js = path.endsWith(".ts") ? transpiler.transformSync(source) : source;
      const { js: output } = compileModule(js, { filename: path, generate: "client", dev: false });
      return { contents: output.code, loader: "js" };
    });
  },
});
