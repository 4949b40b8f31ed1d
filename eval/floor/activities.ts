/** The floor's activity: returns its input. */
export async function noop(input: { text: string }): Promise<{ text: string }> {
  return input;
}
