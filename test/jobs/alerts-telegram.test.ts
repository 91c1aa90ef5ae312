import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { alerts as alertsJob } from '../../jobs/alerts.js';
import { deliveries as deliveriesJob } from '../../jobs/deliveries.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { startTelegram, type TelegramAdapter } from '../../src/chat/telegram.js';
import { closeDeps, tradingOf } from '../../src/deps.js';
import { watchForAlerts } from '../../src/ops/alert-watch.js';
import { SCHEDULER_LEASE } from '../../src/ops/coordinator.js';
import type { JobDeps } from '../../src/ops/job.js';
import { subscriptionsIn } from '../../src/ops/subscriptions.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { FakeTelegramServer, type TgUser } from '../fakes/telegram-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, settle, testDeps } from '../support/test-deps.js';

const GROUP = -1001500;
const tina: TgUser = { id: 100, username: 'tina' };
const ada: TgUser = { id: 300, username: 'ada' };
const vic: TgUser = { id: 200, username: 'vic' };
const trader: Caller = { platform: 'telegram', userId: '100', userName: 'tina', chatId: String(GROUP) };
const admin: Caller = { platform: 'telegram', userId: '300', userName: 'ada', chatId: String(GROUP) };
const T0 = utc('2021-04-10T12:00');
const MIN = 60_000;

describe('on-call in a Telegram group: the alert arrives with an Acknowledge button that acknowledges it', () => {
  let exchange: ExchangeServer;
  let telegram: FakeTelegramServer;
  let adapter: TelegramAdapter;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let jobDeps: JobDeps;
  let runner: CommandRunner;
  let stopWatching: () => void;

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5 });
    telegram = await FakeTelegramServer.start();
    clock = fixedClock(T0);
    deps = testDeps({
      EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:200', TRADER_USERS: 'telegram:100', ADMIN_USERS: 'telegram:300',
      RATE_LIMIT_PER_MINUTE: '1000', DAILY_LOSS_LIMIT: '0.5', ALERT_REPEAT_MINUTES: '15', HEARTBEAT_HOURS: 'off', INSTANCE_ID: 'replica-1',
    }, clock);
    runner = createCommandRunner(allCommands, deps);
    adapter = startTelegram(runner, { token: telegram.token, apiRoot: telegram.apiRoot, allowedChatIds: [String(GROUP)], logger: deps.logger, actionLines: deps.store.settings });
    await adapter.ready;
    // A copy, as the scheduler makes: the job shares the commands' trading stack through the store, not the object.
    jobDeps = { ...deps, notifier: adapter.notifier, wake: () => undefined };
    // This replica leads the scheduler, so its deliveries job may send.
    await deps.store.leases.acquire(SCHEDULER_LEASE, 'replica-1', 3_600_000, T0);
    stopWatching = watchForAlerts(deps, await tradingOf(deps), jobDeps.wake);
  });
  afterEach(async () => {
    stopWatching();
    await adapter.stop();
    await telegram.close();
    await closeDeps(deps);
    await exchange.close();
  });

  /** One scheduler tick: the alerts job records, the deliveries job sends. */
  const tick = async () => {
    await alertsJob.run(jobDeps, clock.now());
    await deliveriesJob.run(jobDeps, clock.now());
  };

  it('trip → one message with the button, repeated while unacknowledged; a viewer may not acknowledge, a trader does; the group sees who; the reset is posted', async () => {
    telegram.sendText(ada, { id: GROUP, type: 'supergroup' }, '/subscribe alerts');
    await telegram.reply(GROUP, 0);
    expect((await subscriptionsIn(deps.store.settings).list('alerts')).map((s) => s.target)).toEqual([{ platform: 'telegram', chatId: String(GROUP) }]);

    await runner.run('/buy BTC/USDT 0.01', trader);
    await runner.run('/sell BTC/USDT 0.01', trader); // a loss above DAILY_LOSS_LIMIT=0.5 trips the breaker
    await settle();
    const before = telegram.messagesIn(GROUP).length;
    await tick();
    const posted = telegram.messagesIn(GROUP).slice(before);
    const alert = posted.find((m) => m.text.includes('Paper trading breaker tripped'))!;
    expect(alert.text).toMatch(/^.*<b>\[PAPER\] CRITICAL: Paper trading breaker tripped \(daily_loss\)<\/b>\nThe paper trading breaker tripped at 2021-04-10 12:00:00 UTC: daily loss [\d.]+ ≥ limit 0\.5\./);
    const button = alert.replyMarkup!.inline_keyboard![0]![0]!;
    expect(button.text).toBe('Acknowledge');
    await tick();
    const breakerPosts = () => telegram.messagesIn(GROUP).filter((m) => m.text.includes('Paper trading breaker tripped (daily_loss)'));
    expect(breakerPosts()).toHaveLength(1);

    // Nobody acknowledged: once ALERT_REPEAT_MINUTES have passed, the next tick repeats it in the group, with the button.
    clock.advance(15 * MIN);
    exchange.setCurrentTime(clock.now());
    await tick();
    expect(breakerPosts()).toHaveLength(2);
    const repeat = breakerPosts()[1]!;
    expect(repeat.text).toMatch(/^.*<b>\[PAPER\] CRITICAL \(still open, repeat 1\): Paper trading breaker tripped \(daily_loss\)<\/b>\n/);
    expect(repeat.text).toContain('Not acknowledged after 15m');
    const repeatButton = repeat.replyMarkup!.inline_keyboard![0]![0]!;
    expect(repeatButton.text).toBe('Acknowledge');

    let seen = telegram.messagesIn(GROUP).length;
    telegram.pressButton(vic, repeat, repeatButton.callback_data!);
    expect((await telegram.reply(GROUP, seen)).text).toContain('/ack needs the trader role; you have the viewer role.');
    seen = telegram.messagesIn(GROUP).length;
    telegram.pressButton(tina, alert, button.callback_data!);
    const acked = await telegram.reply(GROUP, seen);
    expect(acked.text).toMatch(/acknowledged<\/b>\nPaper trading breaker tripped \(daily_loss\): acknowledged by tina \(telegram:100\) at 2021-04-10 12:15:00 UTC\./);

    seen = telegram.messagesIn(GROUP).length;
    await tick();
    const [ackPost] = telegram.messagesIn(GROUP).slice(seen);
    expect(ackPost!.text).toContain('Acknowledged: Paper trading breaker tripped (daily_loss)');
    expect(ackPost!.text).toContain('was acknowledged by tina (telegram:100) at 2021-04-10 12:15:00 UTC; no more repeats.');
    expect(ackPost!.replyMarkup).toBeUndefined();

    clock.advance(MIN);
    exchange.setCurrentTime(clock.now());
    const ask = await runner.run('/breaker reset', admin);
    await runner.run(ask.confirm!.line, admin);
    await settle();
    seen = telegram.messagesIn(GROUP).length;
    await tick();
    const resolved = telegram.messagesIn(GROUP).slice(seen).find((m) => m.text.includes('Resolved: Paper trading breaker tripped'));
    expect(resolved!.text).toContain('reset by telegram:300 at 2021-04-10 12:16:00 UTC; the paper trading breaker is closed.');
    expect(resolved!.text).toContain('Acknowledged by tina (telegram:100) at 2021-04-10 12:15:00 UTC.');
  }, 60_000);
});
