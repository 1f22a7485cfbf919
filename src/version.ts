/** The package version, kept equal to package.json by a test (no file read at start-up). */
export const VERSION = '0.1.0';
