/**
 * Draws the full-duplex timeline as SVG: two lanes (server above, browser
 * below) on a shared time axis that scrolls, each message a line from where
 * it left to where it arrived. A second drawing shows what HTTP polling
 * would have done with the same price changes. Loaded only when the lab is
 * in view.
 */
import { countCrossings, flightOf, mean, pollingSchedule, type DuplexTimelineSnapshot, type TimelineMessage } from './store.ts';
import { formatDuration } from '../../shared/format.ts';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 1000;
const HEIGHT = 200;
const LEFT = 100;
const RIGHT = 990;
const SERVER_Y = 35;
const BROWSER_Y = 162;

function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, className?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (className !== undefined) element.setAttribute('class', className);
  return element;
}

function tooltip(element: SVGElement, text: string): void {
  const title = svgElement('title', {});
  title.textContent = text;
  element.append(title);
}

export interface TimelineViewOptions {
  /** Width of the visible window of time. */
  readonly windowMs: number;
  /** Interval of the simulated HTTP polling. */
  readonly pollIntervalMs: number;
}

/** Draws both timelines and their summaries from a snapshot and the current time. */
export class TimelineView {
  readonly #duplex: SVGSVGElement;
  readonly #polling: SVGSVGElement;
  readonly #summary: HTMLElement;
  readonly #comparison: HTMLElement;
  readonly #options: TimelineViewOptions;
  readonly #uid = Math.random().toString(36).slice(2, 8);

  constructor(duplex: SVGSVGElement, polling: SVGSVGElement, summary: HTMLElement, comparison: HTMLElement, options: TimelineViewOptions) {
    this.#duplex = duplex;
    this.#polling = polling;
    this.#summary = summary;
    this.#comparison = comparison;
    this.#options = options;
    for (const svg of [duplex, polling]) svg.setAttribute('viewBox', `0 0 ${String(WIDTH)} ${String(HEIGHT)}`);
  }

  draw(snapshot: DuplexTimelineSnapshot, now: number): void {
    const from = now - this.#options.windowMs;
    const x = (time: number) => LEFT + ((time - from) / this.#options.windowMs) * (RIGHT - LEFT);
    this.#duplex.replaceChildren(...this.#frame(), ...this.#duplexLines(snapshot, now, x));
    const schedule = pollingSchedule(snapshot.messages, snapshot.clockOffsetMs, this.#options.pollIntervalMs, snapshot.latencyMs, from - this.#options.pollIntervalMs, now);
    this.#polling.replaceChildren(...this.#frame(), ...this.#pollingLines(schedule, now, from, x));
  }

  /** Summaries in words, for everyone and for screen readers (the drawings are images). */
  summarise(snapshot: DuplexTimelineSnapshot, now: number): void {
    const down = snapshot.messages.filter((message) => message.direction === 'down').length;
    const up = snapshot.messages.length - down;
    const crossings = countCrossings(snapshot.messages, snapshot.clockOffsetMs);
    const roundTrip = snapshot.lastRoundTripMs === null ? '' : ` Latest ping round trip: ${formatDuration(snapshot.lastRoundTripMs)}.`;
    this.#summary.textContent = `Recent messages: ${String(down)} down, ${String(up)} up; ${String(crossings)} up/down pair${crossings === 1 ? '' : 's'} crossed in flight.${roundTrip}`;
    const prices = snapshot.messages.filter((message) => message.kind === 'price');
    const viaSocket = mean(prices.map((message) => flightOf(message, snapshot.clockOffsetMs)).map((flight) => (flight.arrivedAt ?? flight.departedAt) - flight.departedAt));
    const schedule = pollingSchedule(prices, snapshot.clockOffsetMs, this.#options.pollIntervalMs, snapshot.latencyMs, now - 60_000, now);
    const viaPolling = mean(schedule.changes.map((change) => change.deliveredAt - change.changedAt));
    this.#comparison.textContent =
      viaSocket === null || viaPolling === null
        ? 'Waiting for price changes…'
        : `Average time from a price change to this page: ${formatDuration(viaSocket)} over the WebSocket; polling every ${formatDuration(this.#options.pollIntervalMs)} over the same link would take ${formatDuration(viaPolling)} (computed from the same ${String(prices.length)} changes).`;
  }

  /** Marker definitions, lanes, labels and the time grid. */
  #frame(): SVGElement[] {
    const defs = svgElement('defs', {});
    for (const direction of ['up', 'down']) {
      const marker = svgElement('marker', { id: `sb-arrow-${direction}-${this.#uid}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 4, markerHeight: 4, orient: 'auto-start-reverse' }, `sb-tl-marker-${direction}`);
      marker.append(svgElement('path', { d: 'M 0 0 L 10 5 L 0 10 z' }));
      defs.append(marker);
    }
    const elements: SVGElement[] = [defs];
    const seconds = Math.floor(this.#options.windowMs / 1000);
    for (let second = 0; second <= seconds; second++) {
      const tickX = RIGHT - (second * 1000 * (RIGHT - LEFT)) / this.#options.windowMs;
      elements.push(svgElement('line', { x1: tickX, x2: tickX, y1: SERVER_Y - 10, y2: BROWSER_Y + 10 }, 'sb-tl-grid'));
      // "now" sits on the right edge: anchored at its end, so it is not cut to "no".
      const label = svgElement('text', { x: tickX, y: HEIGHT - 4, 'text-anchor': second === 0 ? 'end' : 'middle' }, 'sb-tl-tick');
      label.textContent = second === 0 ? 'now' : `−${String(second)} s`;
      elements.push(label);
    }
    for (const [y, name] of [
      [SERVER_Y, 'Server'],
      [BROWSER_Y, 'Browser'],
    ] as const) {
      elements.push(svgElement('line', { x1: LEFT, x2: RIGHT, y1: y, y2: y }, 'sb-tl-lane'));
      const label = svgElement('text', { x: 8, y: y + 5 }, 'sb-tl-lane-label');
      label.textContent = name;
      elements.push(label);
    }
    return elements;
  }

  #line(x1: number, y1: number, x2: number, y2: number, direction: 'up' | 'down', className: string, label: string): SVGLineElement {
    const line = svgElement('line', { x1, y1, x2, y2, 'marker-end': `url(#sb-arrow-${direction}-${this.#uid})` }, className);
    tooltip(line, label);
    return line;
  }

  #duplexLines(snapshot: DuplexTimelineSnapshot, now: number, x: (time: number) => number): SVGElement[] {
    const elements: SVGElement[] = [];
    const oneWayMs = snapshot.lastRoundTripMs === null ? Math.max(1, snapshot.latencyMs) : Math.max(1, snapshot.lastRoundTripMs / 2);
    const start = now - this.#options.windowMs;
    for (const message of snapshot.messages) {
      const flight = flightOf(message, snapshot.clockOffsetMs);
      if ((flight.arrivedAt ?? now) < start) continue;
      elements.push(this.#messageLine(message, flight, now, oneWayMs, x));
    }
    return elements;
  }

  #messageLine(message: TimelineMessage, flight: ReturnType<typeof flightOf>, now: number, oneWayMs: number, x: (time: number) => number): SVGLineElement {
    const className = `sb-tl-message sb-tl-${message.direction} sb-tl-${message.kind}`;
    if (message.direction === 'down') {
      return this.#line(x(flight.departedAt), SERVER_Y, x(flight.arrivedAt ?? now), BROWSER_Y, 'down', className, `${message.label}: server → browser`);
    }
    if (flight.arrivedAt !== null) {
      return this.#line(x(flight.departedAt), BROWSER_Y, x(flight.arrivedAt), SERVER_Y, 'up', className, `${message.label}: browser → server`);
    }
    // Still in flight: drawn as far as it has probably got.
    const progress = Math.min(1, (now - flight.departedAt) / oneWayMs);
    return this.#line(x(flight.departedAt), BROWSER_Y, x(now), BROWSER_Y - progress * (BROWSER_Y - SERVER_Y), 'up', `${className} sb-tl-in-flight`, `${message.label}: in flight`);
  }

  #pollingLines(schedule: ReturnType<typeof pollingSchedule>, now: number, from: number, x: (time: number) => number): SVGElement[] {
    const elements: SVGElement[] = [];
    const clip = (time: number) => Math.min(time, now);
    for (const poll of schedule.polls) {
      if (poll.answeredAt < from || poll.sentAt > now) continue;
      const progress = (end: number, start: number) => Math.min(1, (now - start) / Math.max(1, end - start));
      if (poll.atServer <= now) {
        elements.push(this.#line(x(poll.sentAt), BROWSER_Y, x(poll.atServer), SERVER_Y, 'up', 'sb-tl-message sb-tl-up sb-tl-request', 'GET request'));
        const back = progress(poll.answeredAt, poll.atServer);
        elements.push(this.#line(x(poll.atServer), SERVER_Y, x(clip(poll.answeredAt)), SERVER_Y + back * (BROWSER_Y - SERVER_Y), 'down', 'sb-tl-message sb-tl-down sb-tl-response', 'response'));
      } else {
        const there = progress(poll.atServer, poll.sentAt);
        elements.push(this.#line(x(poll.sentAt), BROWSER_Y, x(now), BROWSER_Y - there * (BROWSER_Y - SERVER_Y), 'up', 'sb-tl-message sb-tl-up sb-tl-request', 'GET request'));
      }
    }
    for (const change of schedule.changes) {
      if (change.pickedUpAt < from || change.changedAt > now) continue;
      const wait = svgElement('line', { x1: x(Math.max(from, change.changedAt)), x2: x(clip(change.pickedUpAt)), y1: SERVER_Y, y2: SERVER_Y }, 'sb-tl-wait');
      tooltip(wait, `${change.label}: waiting for the next request`);
      elements.push(wait, svgElement('circle', { cx: x(change.changedAt), cy: SERVER_Y, r: 5 }, 'sb-tl-change'));
    }
    return elements;
  }
}
