export * from './esimgo-api';
