export * from './problem.http';
export * from './catalogue.http';
