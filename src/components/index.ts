/** Components for chapter authors: `import { EchoCell } from '~/components';` in MDX. */
export { default as BackpressureLab } from './BackpressureLab.astro';
export { default as ChapterList } from './ChapterList.astro';
export { default as ChatLab } from './ChatLab.astro';
export { default as CloseLab } from './CloseLab.astro';
export { default as CodeCell } from './CodeCell.astro';
export { default as CourseProgress } from './CourseProgress.astro';
export { default as DeadlineLab } from './DeadlineLab.astro';
export { default as DuplexTimeline } from './DuplexTimeline.astro';
export { default as EchoCell } from './EchoCell.astro';
export { default as Exercise } from './Exercise.astro';
export { default as FrameLab } from './FrameLab.astro';
export { default as HandshakeLab } from './HandshakeLab.astro';
export { default as HeartbeatLab } from './HeartbeatLab.astro';
export { default as ReconnectLab } from './ReconnectLab.astro';
export { default as TickerLab } from './TickerLab.astro';
