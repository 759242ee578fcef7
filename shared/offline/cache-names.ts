/** Runtime cache names, shared by the service worker's build config and the pages that warm them. */
export const CACHE_PAGES = 'sm-pages';
export const CACHE_PUBLIC_CONFIG = 'sm-public-config';
export const SERVICE_WORKER_URL = '/sw.js';
/** Hashed assets too heavy to precache for everyone (the FHIRPath engine), kept once first used. */
export const CACHE_LAZY_ASSETS = 'sm-lazy-assets';
