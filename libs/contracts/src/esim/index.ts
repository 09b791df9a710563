export * from './list-bundles.v1';
export * from './get-bundle.v1';
export * from './catalogue-updated.v1';
export * from './provision.v1';
export * from './provisioning-results.v1';
export * from './esim-queries.v1';
export * from './record-usage.v1';
export * from './topups.v1';
