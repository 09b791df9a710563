export * from './list-bundles.v1';
export * from './get-bundle.v1';
export * from './catalogue-updated.v1';
