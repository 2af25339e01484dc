/** The version of this package, sent in the `User-Agent` header. A test checks it equals package.json. */
export const PACKAGE_VERSION = '0.1.0';
