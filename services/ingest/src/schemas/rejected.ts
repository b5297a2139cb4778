import { Type } from 'typebox';

const instant = (description: string) => Type.String({ format: 'date-time', description });

export const ReplayWindowSchema = Type.Object(
  {
    from: Type.Optional(instant('Replay rejections received at or after this time (their ingestedAt). Default: all.')),
    to: Type.Optional(instant('Replay rejections received at or before this time. Default: the time of the request.')),
  },
  { additionalProperties: false },
);

export const ReplayResultSchema = Type.Object({
  examined: Type.Integer({ description: 'Rejections in the window that hold a parsed document.' }),
  replayed: Type.Integer({ description: 'Documents that pass the current generation, produced to the documents topic.' }),
  alreadyStored: Type.Integer({ description: 'Documents that pass, whose replay is already stored: not produced again.' }),
  stillRejected: Type.Integer({ description: 'Documents the current generation refuses too; their rejection records its current reasons.' }),
});
