/**
 * The table of contents: one entry per chapter, in reading order. The sidebar
 * (astro.config.mjs), the landing page and the progress bar all read it, so a
 * chapter is added in one place.
 */
export interface Chapter {
  /** Page slug under src/content/docs/ (no leading slash). */
  readonly slug: string;
  readonly title: string;
  /** One line for the landing page. */
  readonly summary: string;
  /** `soon` chapters are listed on the landing page but not in the sidebar. */
  readonly status: 'published' | 'soon';
}

export const chapters: readonly Chapter[] = [
  {
    slug: 'why-websockets',
    title: 'Why WebSockets',
    summary: 'Request/response, polling, long polling, SSE, WebSocket and WebTransport, and what each costs per message.',
    status: 'published',
  },
  {
    slug: 'handshake',
    title: 'The opening handshake',
    summary: 'How an HTTP request becomes a WebSocket: Upgrade, Sec-WebSocket-Key and Accept, Origin, subprotocols, seen in your own browser.',
    status: 'published',
  },
  {
    slug: 'frames',
    title: 'Frames and full duplex',
    summary: 'FIN, opcodes, masking and lengths, decoded from the bytes your browser just sent; messages crossing in flight.',
    status: 'published',
  },
  {
    slug: 'real-time',
    title: 'What "real-time" means',
    summary: 'Hard, firm and soft deadlines, latency, throughput, jitter and clocks, judged live on a stream through a network you make worse.',
    status: 'published',
  },
  {
    slug: 'messages',
    title: 'Messages and protocols',
    summary: 'Text, binary and JSON; message types, demultiplexing and validation, live on a stock ticker.',
    status: 'published',
  },
  {
    slug: 'chat',
    title: 'Chat: rooms and broadcast',
    summary: 'Server-assigned names, broadcast and fan-out, rooms, typing, and resuming by id without loss or duplicates.',
    status: 'published',
  },
  {
    slug: 'closing',
    title: 'Closing: close codes',
    summary: 'The closing handshake, clean and abnormal closes, every close code produced on demand, and when to reconnect.',
    status: 'published',
  },
  {
    slug: 'heartbeats',
    title: 'Heartbeats, dead peers, reconnection',
    summary: 'Protocol and application ping/pong, freezing a peer or the server, and reconnecting with backoff and jitter.',
    status: 'published',
  },
  {
    slug: 'backpressure',
    title: 'Backpressure: the slow consumer',
    summary: 'Watch a fast server drown a slow client, then fix it with credits and conflation.',
    status: 'published',
  },
  {
    slug: 'security',
    title: 'Security',
    summary: 'Cross-site WebSocket hijacking done live, SameSite, one-time tickets, wss and TLS, and the limits that keep a server up.',
    status: 'published',
  },
  {
    slug: 'scaling',
    title: 'Scaling out',
    summary: 'Several processes behind nginx, Redis pub/sub and a Stream carrying chat between them, draining without a herd, and what to watch.',
    status: 'published',
  },
  {
    slug: 'testing',
    title: 'Your own server, tested',
    summary: 'Write a server in Node or Python, grade it with npm run grade, test it with real clients, debug it with DevTools, websocat and Wireshark.',
    status: 'published',
  },
];

export const publishedChapters = chapters.filter((chapter) => chapter.status === 'published');

/** Pages outside the reading order, listed in the sidebar's second group. */
export const referencePages: readonly { readonly slug: string; readonly title: string }[] = [
  { slug: 'reference', title: 'Reference' },
  { slug: 'performance', title: 'Performance' },
];
