import { OCR_CHILDREN_CHANNEL, type OcrChildMessage } from '../../schemas/page-result.js';

/** How long a stopped task's late announcements are still honoured (they cross threads unordered). */
const LATE_MS = 10_000;

/**
 * The tesseract processes pool threads start, by task. Stopping a task (cancel, timeout)
 * terminates its thread, and a terminated thread cannot kill its children: this does, here in
 * the main thread, from what the threads announce on a BroadcastChannel.
 */
export class OcrChildren {
  private readonly channel = new BroadcastChannel(OCR_CHILDREN_CHANNEL);
  private readonly running = new Map<string, Set<number>>();
  private readonly stopped = new Set<string>();

  constructor() {
    this.channel.onmessage = (event) => this.onAnnounce((event as MessageEvent<OcrChildMessage>).data);
    (this.channel as unknown as { unref(): void }).unref();
  }

  begin(taskId: string): void {
    this.running.set(taskId, new Set());
  }

  /** The task is over; when it was stopped, its processes are killed (and any announced late). */
  end(taskId: string, stopped: boolean): void {
    const pids = this.running.get(taskId);
    if (!stopped || !pids) return void this.running.delete(taskId);
    for (const pid of pids) kill(pid);
    pids.clear();
    this.stopped.add(taskId);
    setTimeout(() => {
      this.stopped.delete(taskId);
      this.running.delete(taskId);
    }, LATE_MS).unref();
  }

  /** Server shutdown: every known process goes. */
  close(): void {
    for (const pids of this.running.values()) for (const pid of pids) kill(pid);
    this.running.clear();
    this.channel.close();
  }

  private onAnnounce(m: OcrChildMessage): void {
    const pids = this.running.get(m.task_id);
    if (!pids) return;
    if (this.stopped.has(m.task_id)) kill(m.pid);
    else pids.add(m.pid);
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
