import type { DeliveryTarget, SettingsRepository } from '../store/types.js';

/** What a chat subscribes to: the daily portfolio report, or on-call alerts. */
export type SubscriptionKind = 'report' | 'alerts';

/** One chat's subscription, as stored. */
export interface Subscription {
  readonly kind: SubscriptionKind;
  readonly target: DeliveryTarget;
  /** Report only: local time of day HH:MM and IANA time zone. */
  readonly timeOfDay?: string;
  readonly timeZone?: string;
  /** Report only: send the text-only form (no equity-curve image). */
  readonly text?: boolean;
  /** Who subscribed (`platform:userId`) and when. */
  readonly by: string;
  readonly atMs: number;
}

const PREFIX = 'subscription:';
const keyOf = (kind: SubscriptionKind, target: DeliveryTarget) => `${PREFIX}${kind}:${target.platform}:${target.chatId}`;

/** Subscriptions per chat, kept in the settings repository under `subscription:<kind>:<platform>:<chatId>`. */
export function subscriptionsIn(settings: SettingsRepository) {
  return {
    /** Creates or replaces this chat's subscription of its kind. */
    async put(sub: Subscription, nowMs: number): Promise<void> {
      const value = {
        by: sub.by,
        atMs: sub.atMs,
        ...(sub.timeOfDay === undefined ? {} : { timeOfDay: sub.timeOfDay }),
        ...(sub.timeZone === undefined ? {} : { timeZone: sub.timeZone }),
        ...(sub.text ? { text: true } : {}),
      };
      await settings.set(keyOf(sub.kind, sub.target), value, nowMs);
    },
    /** Removes this chat's subscription; true when there was one. */
    remove(kind: SubscriptionKind, target: DeliveryTarget): Promise<boolean> {
      return settings.delete(keyOf(kind, target));
    },
    /** Every subscription of a kind (all chats), or of every kind when omitted. */
    async list(kind?: SubscriptionKind): Promise<Subscription[]> {
      const rows = await settings.list(kind ? `${PREFIX}${kind}:` : PREFIX);
      return rows.flatMap(({ key, value }) => {
        const match = /^subscription:(report|alerts):(telegram|discord|console):(.+)$/.exec(key);
        if (!match || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
        const v = value as Record<string, unknown>;
        return [{
          kind: match[1] as SubscriptionKind,
          target: { platform: match[2] as DeliveryTarget['platform'], chatId: match[3]! },
          ...(typeof v.timeOfDay === 'string' ? { timeOfDay: v.timeOfDay } : {}),
          ...(typeof v.timeZone === 'string' ? { timeZone: v.timeZone } : {}),
          ...(v.text === true ? { text: true } : {}),
          by: String(v.by ?? ''),
          atMs: Number(v.atMs ?? 0),
        }];
      });
    },
  };
}

/** The subscription store's operations. */
export type Subscriptions = ReturnType<typeof subscriptionsIn>;
