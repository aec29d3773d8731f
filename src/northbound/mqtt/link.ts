/**
 * What the MQTT northbound publishes through: one connection to a broker, embedded
 * (aedes, in-process) or external (mqtt.js to Mosquitto, EMQX...). Contract shared by the
 * broker/link implementation and the topic adapters (generic API, presence, mapped topics).
 */
export interface PublishOptions {
  /** default 1 */
  qos?: 0 | 1;
  retain?: boolean;
  /** MQTT 5 properties where the broker speaks 5 (ignored otherwise) */
  properties?: { contentType?: string; correlationData?: Buffer; responseTopic?: string; userProperties?: Record<string, string> };
}

/** MQTT 5 properties of a received message (absent on MQTT 3.1.1 and the embedded broker). */
export interface ReceivedProperties {
  correlationData?: Buffer;
  responseTopic?: string;
  contentType?: string;
}

export type MessageHandler = (topic: string, payload: Buffer, properties?: ReceivedProperties) => void;

export interface LinkStats {
  /** messages handed to the broker (QoS 1: acknowledged) */
  published: number;
  /** messages waiting for the broker (disconnected, or in flight) */
  buffered: number;
  /** messages dropped because the buffer was full */
  dropped: number;
  connected: boolean;
  reconnects: number;
}

export interface MqttLink {
  /**
   * Never throws and never blocks: while the broker is unreachable QoS 1 messages wait in a
   * bounded buffer (oldest first, delivered on reconnect; overflow counted and logged).
   */
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): void;
  /** Subscribe (QoS 1); the returned function unsubscribes. Subscriptions survive reconnects. */
  subscribe(filter: string, handler: MessageHandler): () => void;
  readonly connected: boolean;
  /**
   * False when nobody can receive a non-retained message on `topic` now, so that a caller
   * may skip building it; true when unsure. Optional: absent means always true.
   */
  hasSubscribers?(topic: string): boolean;
  /**
   * Resolves true once the broker has granted `filter` (subscribed before) in the current
   * session, so that its retained messages are on their way; false when it refused it, or
   * the link stopped. Optional: absent means the link cannot tell (nor deliver retained
   * messages: the embedded link listens on the broker's bus).
   */
  subscribed?(filter: string): Promise<boolean>;
  /** Called with true on every (re)connection and false on every loss; returns a remover. Optional. */
  onConnectionChange?(listener: (connected: boolean) => void): () => void;
  stats(): LinkStats;
  /** Resolves when every buffered message has been handed to the broker (or `ms` passed: false). */
  flush(ms?: number): Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
