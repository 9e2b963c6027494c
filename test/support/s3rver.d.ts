// s3rver ships no type declarations: the part the tests use.
declare module "s3rver" {
  import type { AddressInfo } from "node:net";
  export default class S3rver {
    constructor(options: {
      address?: string;
      port?: number;
      silent?: boolean;
      directory: string;
      configureBuckets?: { name: string }[];
      resetOnClose?: boolean;
    });
    run(): Promise<AddressInfo>;
    /** Its filesystem store (startLocalS3 replaces deleteObject and listObjects). */
    store: {
      getResourcePath(bucket: string, key: string, resource: string): string;
      deleteObject(bucket: string, key: string): Promise<void>;
      listObjects(bucket: string, options: { maxKeys?: number } & Record<string, unknown>): Promise<unknown>;
    };
    close(): Promise<void>;
  }
}
