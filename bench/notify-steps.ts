/**
 * Notifications into MQTT from one fleet process: the offered load goes up in steps, each
 * after a short warm-up; the fixed load gives the latency figure; beyond it the steps go on
 * while the gateway keeps up (90% of the offered load delivered). After each step the fleet
 * drops what it still retransmits so that the next starts clean. The same for the plain
 * UDP fleet and the DTLS one.
 */
import type { MqttSink } from './mqtt-sink.js';
import { CpuMeter, udpReceiveErrors, type FleetProcess } from './procs.js';
import type { NotificationFigures, NotificationStep } from './report.js';

export interface NotificationPlan {
  /** the offered load of the latency figure */
  fixed: number;
  /** the other offered loads */
  steps: number[];
  fixedSeconds: number;
  stepSeconds: number;
  /** pause after a step */
  settleMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function measureStep(fleet: FleetProcess, gatewayPid: number | undefined, sink: MqttSink, rate: number, seconds: number, settleMs: number): Promise<NotificationStep> {
  const cpuG = new CpuMeter(gatewayPid);
  const cpuS = new CpuMeter(fleet.pid);
  const cpuB = new CpuMeter(process.pid);
  await fleet.startNotifications(rate);
  await sleep(500); // reach a steady state
  const c0 = await fleet.counters();
  const r0 = sink.received;
  const d0 = udpReceiveErrors();
  cpuG.read();
  cpuS.read();
  cpuB.read();
  sink.startSampling();
  const tm = performance.now();
  await sleep(seconds * 1000);
  const el = (performance.now() - tm) / 1000;
  const delivered = (sink.received - r0) / el;
  const c1 = await fleet.counters();
  const step: NotificationStep = {
    offeredPerSecond: rate,
    sentPerSecond: (c1.notificationsSent - c0.notificationsSent) / el,
    deliveredPerSecond: delivered,
    ackedPerSecond: (c1.notificationsAcked - c0.notificationsAcked) / el,
    retransmissionsPerSecond: (c1.retransmissions - c0.retransmissions) / el,
    udpDrops: udpReceiveErrors() - d0,
    gatewayCpu: cpuG.read(),
    simulatorCpu: cpuS.read(),
    subscriberCpu: cpuB.read(),
    latencyMs: sink.stopSampling(),
  };
  // stop, and drop what is still being retransmitted so that the next step starts clean
  await fleet.stopNotifications();
  await sleep(settleMs);
  return step;
}

/** Runs the steps; `echoRate`: the raw UDP echo's round trips per second at notification sizes. */
export async function notificationSteps(
  fleet: FleetProcess,
  gatewayPid: number | undefined,
  sink: MqttSink,
  plan: NotificationPlan,
  echoRate: number,
  log: (s: string) => void,
): Promise<NotificationFigures> {
  // offered loads from low to high: every one up to the fixed load, beyond it while the path keeps up
  const rates = [...new Set([...plan.steps, plan.fixed])].sort((a, b) => a - b);
  const steps: NotificationStep[] = [];
  for (const rate of rates) {
    const seconds = rate === plan.fixed ? plan.fixedSeconds : plan.stepSeconds;
    log(`notifications at ${rate}/s for ${seconds} s...`);
    const st = await measureStep(fleet, gatewayPid, sink, rate, seconds, plan.settleMs);
    steps.push(st);
    if (rate >= plan.fixed && st.deliveredPerSecond < 0.9 * rate) break;
  }
  const fixed = steps.find((x) => x.offeredPerSecond === plan.fixed)!;
  const keptUp = steps.filter((x) => x.deliveredPerSecond >= 0.9 * x.offeredPerSecond);
  const maxPerSecond = Math.max(...steps.map((x) => x.deliveredPerSecond));
  const best = keptUp[keptUp.length - 1];
  return {
    offeredPerSecond: fixed.offeredPerSecond,
    sentPerSecond: fixed.sentPerSecond,
    deliveredPerSecond: fixed.deliveredPerSecond,
    latencyMs: fixed.latencyMs,
    udpDrops: fixed.udpDrops,
    gatewayCpu: fixed.gatewayCpu,
    steps,
    maxPerSecond,
    gatewayCpuUsPerNotification: best && best.deliveredPerSecond > 0 ? (best.gatewayCpu / best.deliveredPerSecond) * 1e6 : 0,
    ratioToEcho: maxPerSecond / echoRate,
  };
}
