// Types of node-version.mjs (plain JavaScript so that an old Node can run it).
export declare const NODE_ENGINES: string;
export declare function isSupportedNode(version: string): boolean;
export declare function unsupportedNodeMessage(version: string, execPath: string): string;
export declare function exitOnUnsupportedNode(version?: string, execPath?: string): void;
