import { startProduct } from '../../src/cli/product';
import type { Runtime } from '../../src/cli/runtime';
import { startSlackFace } from '../../src/cli/slack';
import type { SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';

/** `dockhand start` in this process: the product's loops and its Slack face, which the simulator sends its requests to. */
export async function startProductWithSlack(rt: Runtime, slack: SlackSimulator): Promise<{ stop(): Promise<void> }> {
  const product = startProduct(rt);
  const face = await startSlackFace(rt, product);
  slack.setAppRequestUrl(`http://127.0.0.1:${face.port}/slack/events`);
  return {
    async stop() {
      await face.stop();
      await product.stop();
    },
  };
}
