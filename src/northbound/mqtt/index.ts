/** The MQTT northbound: topic adapters over a broker link (see docs/mqtt.md). */
export { MqttNorthbound, type MqttNorthboundOptions } from './northbound.js';
export { GenericApi, registrationData, responseData, type GenericApiOptions } from './generic-api.js';
export { parseCommand, MSG_TYPES, type MsgType, type ParsedCommand, type FailedCommand } from './generic-commands.js';
export { Presence, gatewayBirth, gatewayWill, onlinePayload, type WillMessage, type PresenceOptions } from './presence.js';
export { MappedTopics, observationKey, startRequests, type MappedTopicsOptions } from './mapped.js';
export { Topics, encodeLevel, decodeLevel } from './topics.js';
export { codeMsg, contentOf, jsonValue, resultContent, resultStatus, valueType, type ContentItem } from './json-values.js';
export type { MqttLink, PublishOptions, MessageHandler, LinkStats } from './link.js';
export { MqttFace, mqttFace } from './mqtt-face.js';
