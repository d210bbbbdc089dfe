import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The desktop shell loads the built files (ui/dist); `npm run dev` serves them for the shell's
// dev mode on a fixed port.
export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    // The unit tests read the backend's sources for the codes its findings carry.
    fs: mode === "test" ? { allow: [".", "../src-tauri/crates"] } : undefined,
  },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
  // The tests mount components in jsdom: Svelte's browser build, not its server one.
  resolve: mode === "test" ? { conditions: ["browser"] } : undefined,
  test: { environment: "jsdom", include: ["src/**/*.test.ts"] },
}));
