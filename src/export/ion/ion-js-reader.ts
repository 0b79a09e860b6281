/**
 * One Ion export line → the record `parseRecord` returns for DynamoDB JSON, with Amazon's Ion library for
 * JavaScript (`ion-js`) as the parser. The reference the project's own reader (fast-reader.ts) is checked
 * against, line by line, in test/unit/export/ion-reader.test.ts.
 */
import { IonType, IonTypes, makeReader, Reader } from 'ion-js';
import type { AttributeValue, DynamoItem } from '../../mapping';
import type { ExportRecord } from '../records';
import { addField, decimalString, describePath, IonRecordError, MAX_ION_DEPTH, SET_ANNOTATIONS } from './values';

type Path = (string | number)[];

function fail(path: Path, reason: string): IonRecordError {
  return new IonRecordError(`${describePath(path)}: ${reason}`);
}

function decimalValue(reader: Reader): string {
  const decimal = reader.decimalValue();
  if (decimal === null) throw new Error('unreachable: a non-null decimal has a value');
  const coefficient = decimal.getCoefficient();
  const digits = (coefficient < 0n ? -coefficient : coefficient).toString();
  return decimalString(decimal.isNegative(), digits, decimal.getExponent());
}

/** A number: an Ion decimal, or (defensively; DynamoDB writes decimals) an Ion int. */
function numberValue(reader: Reader, type: IonType, path: Path): string {
  if (type === IonTypes.DECIMAL) return decimalValue(reader);
  if (type === IonTypes.INT) return (reader.bigIntValue() as bigint).toString();
  throw fail(path, `a number set holds decimals, got an Ion ${type.name}`);
}

function base64(reader: Reader): string {
  const bytes = reader.uInt8ArrayValue() as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function readSet(reader: Reader, descriptor: 'SS' | 'NS' | 'BS', path: Path): AttributeValue {
  const out: string[] = [];
  reader.stepIn();
  for (let type = reader.next(), i = 0; type !== null; type = reader.next(), i++) {
    path.push(i);
    if (reader.annotations().length > 0) throw fail(path, 'a set element cannot carry annotations');
    if (reader.isNull()) throw fail(path, 'a set element cannot be null');
    if (descriptor === 'SS') {
      if (type !== IonTypes.STRING) throw fail(path, `a string set holds strings, got an Ion ${type.name}`);
      out.push(reader.stringValue() as string);
    } else if (descriptor === 'NS') {
      out.push(numberValue(reader, type, path));
    } else {
      if (type !== IonTypes.BLOB) throw fail(path, `a binary set holds blobs, got an Ion ${type.name}`);
      out.push(base64(reader));
    }
    path.pop();
  }
  reader.stepOut();
  return { [descriptor]: out } as AttributeValue;
}

function readStruct(reader: Reader, path: Path): DynamoItem {
  const out: DynamoItem = {};
  reader.stepIn();
  for (let type = reader.next(); type !== null; type = reader.next()) {
    const name = reader.fieldName();
    if (name === null) throw fail(path, 'a field name has no text (symbol $0)');
    path.push(name);
    const value = readValue(reader, type, path);
    path.pop();
    addField(out, name, value, path);
  }
  reader.stepOut();
  return out;
}

function readValue(reader: Reader, type: IonType, path: Path): AttributeValue {
  if (path.length > MAX_ION_DEPTH) throw fail(path, `nested more than ${MAX_ION_DEPTH} levels deep`);
  const annotations = reader.annotations();
  if (annotations.length > 0) {
    const set = annotations.length === 1 ? SET_ANNOTATIONS[annotations[0]] : undefined;
    if (set === undefined || type !== IonTypes.LIST || reader.isNull()) {
      throw fail(
        path,
        `annotation ${annotations.map((a) => `${a}::`).join('')} on an Ion ${type.name} is not a DynamoDB type (sets are lists annotated $dynamodb_SS, $dynamodb_NS or $dynamodb_BS)`,
      );
    }
    return readSet(reader, set, path);
  }
  if (reader.isNull()) {
    if (type !== IonTypes.NULL) throw fail(path, `a typed null (null.${type.name}) is not a DynamoDB value`);
    return { NULL: true };
  }
  switch (type) {
    case IonTypes.STRING:
      return { S: reader.stringValue() as string };
    case IonTypes.DECIMAL:
    case IonTypes.INT:
      return { N: numberValue(reader, type, path) };
    case IonTypes.BOOL:
      return { BOOL: reader.booleanValue() as boolean };
    case IonTypes.BLOB:
      return { B: base64(reader) };
    case IonTypes.STRUCT:
      return { M: readStruct(reader, path) };
    case IonTypes.LIST: {
      const list: AttributeValue[] = [];
      reader.stepIn();
      for (let t = reader.next(), i = 0; t !== null; t = reader.next(), i++) {
        path.push(i);
        list.push(readValue(reader, t, path));
        path.pop();
      }
      reader.stepOut();
      return { L: list };
    }
    default:
      throw fail(path, `an Ion ${type.name} is not a DynamoDB type`);
  }
}

/** Reads the struct the reader is on as an item (`Item`, `NewImage`, `Keys`). */
function readItem(reader: Reader, type: IonType, name: string): DynamoItem {
  const path: Path = [name];
  if (type !== IonTypes.STRUCT || reader.isNull() || reader.annotations().length > 0) {
    throw fail(path, `must be a struct, got ${reader.isNull() ? 'null' : `an Ion ${type.name}`}`);
  }
  return readStruct(reader, path);
}

/**
 * Decodes one line of an Ion export: `$ion_1_0` then one struct, `{Item:{…}}` in a full export, `{Metadata:…,
 * Keys:{…}, OldImage:{…}, NewImage:{…}}` in an incremental one. Throws IonRecordError with the reason.
 */
export function readIonRecordWithIonJs(text: string, incremental: boolean): ExportRecord {
  let record: ExportRecord | undefined;
  let keys: DynamoItem | undefined;
  /** Why `Keys` could not be read: only a delete needs them, so only then is it the line's problem. */
  let keysProblem: IonRecordError | undefined;
  let newImageSeen = false;
  try {
    const reader = makeReader(text);
    const top = reader.next();
    if (top === null) throw new IonRecordError('the line holds no Ion value');
    if (top !== IonTypes.STRUCT || reader.isNull() || reader.annotations().length > 0)
      throw new IonRecordError(`the line's value must be a struct, got an Ion ${top.name}`);
    reader.stepIn();
    const seen = new Set<string>();
    for (let type = reader.next(); type !== null; type = reader.next()) {
      const name = reader.fieldName();
      if (name === null) throw new IonRecordError('a field name has no text (symbol $0)');
      if (seen.has(name)) throw new IonRecordError(`field ${JSON.stringify(name)} appears twice`);
      seen.add(name);
      if (!incremental) {
        if (name === 'Item') record = { kind: 'put', item: readItem(reader, type, name) };
      } else if (name === 'NewImage') {
        newImageSeen = true;
        record = { kind: 'put', item: readItem(reader, type, name) };
      } else if (name === 'Keys') {
        const depth = reader.depth();
        try {
          keys = readItem(reader, type, name);
        } catch (error) {
          if (!(error instanceof IonRecordError)) throw error;
          keysProblem = error;
          while (reader.depth() > depth) reader.stepOut();
        }
      }
    }
    reader.stepOut();
    if (reader.next() !== null) throw new IonRecordError('the line holds more than one Ion value');
  } catch (error) {
    if (error instanceof IonRecordError) throw error;
    throw new IonRecordError(`line is not valid Ion (${(error as Error).message})`);
  }
  if (!incremental) {
    if (!record) throw new IonRecordError('a full export line must have an "Item" struct');
    return record;
  }
  if (record && newImageSeen) return record;
  if (keysProblem) throw keysProblem;
  if (!keys) throw new IonRecordError('an incremental export line must have a "Keys" struct');
  return { kind: 'delete', keys };
}
