/** Components for chapter authors: `import { EchoCell } from '~/components';` in MDX. */
export { default as ChapterList } from './ChapterList.astro';
export { default as EchoCell } from './EchoCell.astro';
export { default as BackpressureLab } from './BackpressureLab.astro';
