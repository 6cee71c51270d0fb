import {
  ActivityTypes,
  ConversationState,
  MessageFactory,
  TestAdapter,
  type CardAction,
  type Storage,
  type TurnContext,
} from 'botbuilder';
import { DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Contender } from '../workload/driver';
import type { PeerTexts } from './texts';

const button = (title: string, value: string): CardAction => ({ type: 'imBack', title, value });

/**
 * The packing conversation as a Bot Framework developer would write it: one
 * WaterfallDialog whose steps prompt with TextPrompts, each validating the
 * answer it waits for (a wrong one gets "not understood" and the prompt
 * again), its state in ConversationState on the given Storage, saved once
 * per turn. Driven through botbuilder's TestAdapter; a button press arrives
 * as its value in the text, as imBack buttons do.
 */
export function botFrameworkContender(storage: Storage, texts: PeerTexts, onClose: () => void | Promise<void> = () => undefined): Contender {
  const conversationState = new ConversationState(storage);
  const dialogs = new DialogSet(conversationState.createProperty('dialogState'));
  const expects = (id: string, answer: string) =>
    new TextPrompt(id, async (prompt) => prompt.recognized.succeeded && prompt.recognized.value?.trim().toLowerCase() === answer);
  dialogs.add(expects('where', 'menu'));
  dialogs.add(expects('menu', 'topic.open:packing'));
  dialogs.add(expects('yes', 'yes'));
  dialogs.add(expects('next', 'next'));

  const { labels } = texts;
  const stepButtons = [button(labels.next, 'next'), button(labels.back, 'back'), button(labels.menu, 'menu')];
  const ask = (step: WaterfallStepContext, promptId: string, text: string, actions: CardAction[]) =>
    step.prompt(promptId, {
      prompt: MessageFactory.suggestedActions(actions, text),
      retryPrompt: MessageFactory.suggestedActions(actions, `${texts.notUnderstood}\n\n${text}`),
    });
  const checklist = texts.steps.map((text, i) => async (step: WaterfallStepContext) =>
    i + 1 < texts.steps.length ? ask(step, 'next', texts.steps[i + 1]!, stepButtons) : step.endDialog(),
  );
  dialogs.add(
    new WaterfallDialog('packing', [
      async (step) => {
        await step.context.sendActivity(MessageFactory.suggestedActions([button('Change language', 'language')], texts.welcome));
        return ask(step, 'where', texts.where, [button(labels.skip, 'skip')]);
      },
      async (step) => ask(step, 'menu', texts.menu, [button(labels.packing, 'topic.open:packing')]),
      async (step) => ask(step, 'yes', texts.intro, [button(labels.yes, 'yes'), button(labels.menu, 'menu')]),
      async (step) => ask(step, 'next', texts.steps[0]!, stepButtons),
      ...checklist,
    ]),
  );

  const logic = async (context: TurnContext) => {
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog('packing');
    await conversationState.saveChanges(context);
  };
  const adapter = new TestAdapter(logic);

  return {
    async turn(conversation, _index, input) {
      const replies: string[] = [];
      await adapter.processActivity(
        {
          type: ActivityTypes.Message,
          text: input.payload ?? input.text ?? '',
          conversation: { id: `c${conversation}`, isGroup: false, conversationType: 'personal', name: '' },
          from: { id: `u${conversation}`, name: '' },
        },
        async (context) => {
          context.onSendActivities(async (_ctx, activities, next) => {
            for (const activity of activities) if (activity.type === ActivityTypes.Message) replies.push(activity.text ?? '');
            return next();
          });
          await logic(context);
        },
      );
      // The adapter queues every reply for test assertions; the replies were taken above.
      adapter.activeQueue.length = 0;
      return replies;
    },
    close: async () => {
      await onClose();
    },
  };
}
