/**
 * A hop with no imports of its own: the loader imports this, and this
 * imports the student side. Vite writes the list of chunks to preload
 * beside each dynamic `import()`; here that list ships only in class mode,
 * not in the loader every page runs (it weighed 0.3 KB gzip there).
 */
export const loadStudent = () => import('./student.ts');
