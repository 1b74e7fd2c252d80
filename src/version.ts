/** The service version, reported by /health and the API description. */
export const VERSION = '0.1.0';
