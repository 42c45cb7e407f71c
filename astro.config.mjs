// @ts-check
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import { chapters, publishedChapters, referencePages } from './src/site/chapters.ts';

/**
 * `npm run dev`: mounts the demo server's WebSocket endpoints and /healthz on
 * Astro's dev server, so pages and sockets share one origin as in production.
 * Vite's hot-reload socket upgrades too; the demo server leaves every path
 * outside /ws/ to it.
 * @returns {import('astro').AstroIntegration}
 */
function demoServerInDev() {
  return {
    name: 'socketbook-demo-server',
    hooks: {
      'astro:server:setup': async ({ server, logger }) => {
        const { createDemoServer } = await import('./demo-server/http/server.ts');
        const demo = createDemoServer({ log: (line) => logger.info(line) });
        server.httpServer?.on('upgrade', (request, socket, head) => {
          demo.handleUpgrade(request, socket, head);
        });
        server.middlewares.use((request, response, next) => {
          if (!demo.handleApiRequest(request, response)) next();
        });
        server.httpServer?.on('close', () => {
          void demo.close();
        });
      },
    },
  };
}

/**
 * Writes dist/.build-stamp after a complete build (pages, search index,
 * sitemap), so `npm start` can tell a finished build from an interrupted one.
 * @returns {import('astro').AstroIntegration}
 */
function buildStamp() {
  return {
    name: 'socketbook-build-stamp',
    hooks: {
      'astro:build:done': async ({ dir }) => {
        const { writeFile } = await import('node:fs/promises');
        await writeFile(new URL('.build-stamp', dir), `${new Date().toISOString()}\n`);
      },
    },
  };
}

/**
 * Names a browser chunk after its feature folder: src/labs/close/store.ts
 * ships as close-store.[hash].js, not as one of eleven store.[hash].js, so
 * DevTools' Network panel and the page-weight tests can tell them apart.
 * @param {{ name: string, facadeModuleId?: string | null }} chunk
 */
function clientChunkFileName(chunk) {
  const inLab = /\/src\/labs\/([\w-]+)\/([\w-]+)\.ts$/.exec(chunk.facadeModuleId ?? '');
  const name = inLab && inLab[1] !== 'kit' && inLab[2] !== inLab[1] ? `${inLab[1]}-${inLab[2]}` : chunk.name;
  return `_astro/${name.replace(/[^\w-]/g, '_')}.[hash].js`;
}

export default defineConfig({
  site: 'http://localhost:8080',
  vite: {
    environments: {
      client: { build: { rolldownOptions: { output: { chunkFileNames: clientChunkFileName } } } },
    },
  },
  // The demo server serves dist/ with its own compression and caching.
  compressHTML: true,
  integrations: [
    starlight({
      title: 'Socketbook',
      description: 'An interactive, notebook-style tutorial about WebSockets, with live cells and labs.',
      favicon: '/favicon.svg',
      logo: { src: './src/assets/logo.svg', alt: '' },
      customCss: ['./src/styles/socketbook.css'],
      components: {
        MarkdownContent: './src/site/overrides/MarkdownContent.astro',
        Search: './src/site/overrides/Search.astro',
        Sidebar: './src/site/overrides/Sidebar.astro',
        // Class mode's bar (join prompt, announcements): on every page, the splash page too.
        Banner: './src/classroom/ClassroomBanner.astro',
      },
      // Wrapped lines never scroll sideways, so code blocks need no extra
      // tab stop, and a cell's code reads the same as in its editor.
      expressiveCode: { defaultProps: { wrap: true, preserveIndent: true } },
      sidebar: [
        { label: 'Start here', link: '/' },
        {
          label: 'Chapters',
          items: publishedChapters.map((chapter) => ({
            // Numbered by place in the book, not among published chapters.
            label: `${String(chapters.indexOf(chapter) + 1)}. ${chapter.title}`,
            slug: chapter.slug,
          })),
        },
        {
          label: 'Reference',
          items: referencePages.map((page) => ({ label: page.title, slug: page.slug })),
        },
      ],
      lastUpdated: false,
      pagination: true,
    }),
    demoServerInDev(),
    buildStamp(),
  ],
});
