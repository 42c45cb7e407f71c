/** The `AsyncFunction` constructor: like `Function`, but the body may use `await`. */
export type AsyncFunctionConstructor = new (...parameterNamesAndBody: string[]) => (...values: unknown[]) => Promise<unknown>;

const asyncPrototype: unknown = Object.getPrototypeOf(async function () {
  await Promise.resolve();
});

export const AsyncFunction = (asyncPrototype as { constructor: AsyncFunctionConstructor }).constructor;
