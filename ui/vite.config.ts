import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The dashboard is served by `rampart server` under a CSP without inline scripts or styles,
// so the build must emit only external files: no module-preload polyfill (it is inlined),
// CSS in files, no inlined assets as data: URLs for scripts.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
});
