/**
 * Every component a chapter may use, from the feature folders (labs/,
 * notebook/, site/): `import { EchoCell } from '~/components';` in MDX.
 */
export { default as BackpressureLab } from './labs/backpressure/BackpressureLab.astro';
export { default as ChapterList } from './site/ChapterList.astro';
export { default as CheckServerLab } from './labs/check-server/CheckServerLab.astro';
export { default as ChatLab } from './labs/chat/ChatLab.astro';
export { default as CloseLab } from './labs/close/CloseLab.astro';
export { default as CodeCell } from './notebook/CodeCell.astro';
export { default as CourseProgress } from './site/CourseProgress.astro';
export { default as DeadlineLab } from './labs/deadline/DeadlineLab.astro';
export { default as DuplexTimeline } from './labs/duplex-timeline/DuplexTimeline.astro';
export { default as EchoCell } from './labs/echo/EchoCell.astro';
export { default as Exercise } from './notebook/Exercise.astro';
export { default as FrameLab } from './labs/frames/FrameLab.astro';
export { default as HandshakeLab } from './labs/handshake/HandshakeLab.astro';
export { default as HeartbeatLab } from './labs/heartbeat/HeartbeatLab.astro';
export { default as HijackLab } from './labs/hijack/HijackLab.astro';
export { default as ReconnectLab } from './labs/reconnect/ReconnectLab.astro';
export { default as SplitRoomLab } from './labs/split-room/SplitRoomLab.astro';
export { default as FailoverLab } from './labs/failover/FailoverLab.astro';
export { default as DrainLab } from './labs/drain/DrainLab.astro';
export { default as TickerLab } from './labs/ticker/TickerLab.astro';
export { default as TicketsLab } from './labs/tickets/TicketsLab.astro';
