/**
 * A small typed in-process event hub, so one part of the domain can react to another
 * without importing it: the emitter names an event, whoever was registered at composition
 * time (src/runtime) handles it.
 *
 * Handlers run inside the emitter's transaction (`tx`), one after another in registration
 * order, and are awaited: what they write commits or rolls back with the change that caused
 * it, and a handler's error fails the emit like any other error in that transaction. No
 * queue, no retries, no global instance: a hub is built and passed in like a clock.
 */
export type EventHandler<T, Tx> = (tx: Tx, event: T) => Promise<unknown>;

export class EventHub<Events extends object, Tx> {
  private readonly handlers = new Map<keyof Events, Array<EventHandler<never, Tx>>>();

  on<K extends keyof Events>(name: K, handler: EventHandler<Events[K], Tx>): this {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as EventHandler<never, Tx>);
    this.handlers.set(name, list);
    return this;
  }

  async emit<K extends keyof Events>(tx: Tx, name: K, event: Events[K]): Promise<void> {
    for (const handler of this.handlers.get(name) ?? []) await (handler as EventHandler<Events[K], Tx>)(tx, event);
  }
}
