export * from './finding';
export * from './manifest-validator';
export * from './validation-plugin';
