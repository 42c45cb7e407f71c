/** Components for chapter authors: `import { EchoCell } from '~/components';` in MDX. */
export { default as ChapterList } from './ChapterList.astro';
export { default as EchoCell } from './EchoCell.astro';
export { default as HandshakeLab } from './HandshakeLab.astro';
export { default as FrameLab } from './FrameLab.astro';
export { default as DuplexTimeline } from './DuplexTimeline.astro';
export { default as TickerLab } from './TickerLab.astro';
