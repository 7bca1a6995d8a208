// A safe pickle virtual machine: it builds containers itself and hands every global, call and persistent id
// to hooks that know a short allowlist. Nothing named in the file is ever looked up or called.

import { CheckpointError } from './errors.ts';
import { decodeLong, decodeTextInt, PickleInput } from './pickle-input.ts';
import { OP, OP_NAMES } from './pickle-opcodes.ts';
import { PyTuple } from './python-values.ts';

/** What the VM asks of its owner; each hook throws a CheckpointError for anything it does not allow. */
export interface PickleHooks {
  /** GLOBAL / STACK_GLOBAL: a token standing for the named thing. */
  findGlobal(module: string, name: string): unknown;
  /** BINPERSID: torch's pointer to tensor data stored outside the pickle. */
  persistentLoad(id: unknown): unknown;
  /** REDUCE and NEWOBJ: `callable` is whatever findGlobal returned (or anything else the file put there). */
  call(callable: unknown, args: unknown[]): unknown;
  /** BUILD: set `state` on `target` (torch uses it for a state_dict's `_metadata`). */
  build(target: unknown, state: unknown): void;
}

export interface Unpickled {
  value: unknown;
  /** Offset just past the STOP opcode (legacy files hold several pickles back to back). */
  end: number;
}

/** Marks a MARK on the stack; items above it belong to the next TUPLE / SETITEMS / APPENDS. */
const MARK = Symbol('mark');
const MAX_STACK = 1_000_000;

/** Runs one pickle starting at `start`. `where` names the pickle in error messages. */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks, where: string, start = 0): Unpickled {
  const input = new PickleInput(bytes, where, start);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let opAt = start;

  const malformed = (why: string) =>
    new CheckpointError('badPickle', `The checkpoint's ${where} is malformed at byte ${opAt}: ${why}.`);
  const push = (value: unknown) => {
    if (stack.length >= MAX_STACK) throw malformed('too many values on the stack');
    stack.push(value);
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK)
      throw malformed('a value is missing (stack underflow)');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK)
      throw malformed('a value is missing (stack underflow)');
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const mark = stack.lastIndexOf(MARK);
    if (mark < 0) throw malformed('a MARK is missing');
    const items = stack.splice(mark);
    items.shift();
    return items;
  };
  const long = (data: Uint8Array) => {
    const value = decodeLong(data);
    if (value === null) throw malformed(`an integer is ${data.length} bytes long`);
    return value;
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) throw malformed('dict items are added to something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const memoGet = (index: number) => {
    if (!memo.has(index)) throw malformed(`memo slot ${index} is read before it is written`);
    return memo.get(index);
  };
  const textInt = (text: string) => {
    const value = decodeTextInt(text);
    if (value === null) throw malformed(`"${text.slice(0, 40)}" is not an integer`);
    return value;
  };

  for (;;) {
    opAt = input.at;
    const op = input.u8();
    switch (op) {
      case OP.PROTO: {
        const version = input.u8();
        if (version > 5) throw malformed(`pickle protocol ${version} is newer than any Python writes`);
        break;
      }
      case OP.FRAME:
        input.length64(); // NOTE: frames only help streaming readers; the opcodes inside are read as usual
        break;
      case OP.STOP:
        if (stack.length !== 1) throw malformed(`it ends with ${stack.length} values instead of one`);
        return { value: stack[0], end: input.at };
      case OP.MARK:
        push(MARK);
        break;
      case OP.POP:
        if (stack.length === 0) throw malformed('POP on an empty stack');
        stack.pop();
        break;
      case OP.POP_MARK:
        popMark();
        break;
      case OP.DUP:
        push(top());
        break;
      case OP.NONE:
        push(null);
        break;
      case OP.NEWTRUE:
        push(true);
        break;
      case OP.NEWFALSE:
        push(false);
        break;
      case OP.BININT:
        push(input.i32());
        break;
      case OP.BININT1:
        push(input.u8());
        break;
      case OP.BININT2:
        push(input.u16());
        break;
      case OP.LONG1:
        push(long(input.take(input.u8())));
        break;
      case OP.LONG4:
        push(long(input.take(input.i32())));
        break;
      case OP.INT:
      case OP.LONG:
        push(textInt(input.line()));
        break;
      case OP.FLOAT: {
        const text = input.line();
        const value = Number(text);
        if (Number.isNaN(value) && !/nan/i.test(text)) throw malformed(`"${text}" is not a number`);
        push(value);
        break;
      }
      case OP.BINFLOAT:
        push(input.f64());
        break;
      case OP.BINUNICODE:
        push(input.text(input.u32()));
        break;
      case OP.SHORT_BINUNICODE:
        push(input.text(input.u8()));
        break;
      case OP.BINUNICODE8:
        push(input.text(input.length64()));
        break;
      case OP.SHORT_BINSTRING:
        push(input.text(input.u8()));
        break;
      case OP.BINSTRING:
        push(input.text(input.i32()));
        break;
      case OP.SHORT_BINBYTES:
        push(input.take(input.u8()).slice());
        break;
      case OP.BINBYTES:
        push(input.take(input.u32()).slice());
        break;
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        push(input.take(input.length64()).slice());
        break;
      case OP.EMPTY_TUPLE:
        push(new PyTuple([]));
        break;
      case OP.TUPLE:
        push(new PyTuple(popMark() as never[]));
        break;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const count = op - OP.TUPLE1 + 1;
        const items: unknown[] = [];
        for (let i = 0; i < count; i++) items.unshift(pop());
        push(new PyTuple(items as never[]));
        break;
      }
      case OP.EMPTY_LIST:
        push([]);
        break;
      case OP.LIST:
        push(popMark());
        break;
      case OP.APPEND: {
        const item = pop();
        const list = top();
        if (!Array.isArray(list)) throw malformed('APPEND to something that is not a list');
        list.push(item);
        break;
      }
      case OP.APPENDS: {
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw malformed('APPENDS to something that is not a list');
        for (const item of items) list.push(item);
        break;
      }
      case OP.EMPTY_DICT:
        push(new Map());
        break;
      case OP.DICT: {
        const dict = new Map();
        setItems(dict, popMark());
        push(dict);
        break;
      }
      case OP.SETITEM: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case OP.EMPTY_SET:
        push(new Set());
        break;
      case OP.ADDITEMS: {
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) throw malformed('ADDITEMS to something that is not a set');
        for (const item of items) set.add(item);
        break;
      }
      case OP.FROZENSET:
        push(new Set(popMark()));
        break;
      case OP.GLOBAL: {
        const module = input.line();
        push(hooks.findGlobal(module, input.line()));
        break;
      }
      case OP.STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw malformed('STACK_GLOBAL needs two strings');
        push(hooks.findGlobal(module, name));
        break;
      }
      case OP.REDUCE:
      case OP.NEWOBJ: {
        const args = pop();
        const callable = pop();
        if (!(args instanceof PyTuple)) throw malformed('a call has arguments that are not a tuple');
        push(hooks.call(callable, args.items));
        break;
      }
      case OP.BUILD: {
        const state = pop();
        hooks.build(top(), state);
        break;
      }
      case OP.BINPERSID:
        push(hooks.persistentLoad(pop()));
        break;
      case OP.BINPUT:
        memo.set(input.u8(), top());
        break;
      case OP.LONG_BINPUT:
        memo.set(input.u32(), top());
        break;
      case OP.PUT:
        memo.set(Number(textInt(input.line())), top());
        break;
      case OP.MEMOIZE:
        memo.set(memo.size, top());
        break;
      case OP.BINGET:
        push(memoGet(input.u8()));
        break;
      case OP.LONG_BINGET:
        push(memoGet(input.u32()));
        break;
      case OP.GET:
        push(memoGet(Number(textInt(input.line()))));
        break;
      default: {
        const name = OP_NAMES.get(op);
        if (name)
          throw new CheckpointError(
            'badPickle',
            `The checkpoint's ${where} uses the pickle instruction ${name}, which NeuroCanvas does not read ` +
              `(byte ${opAt}). Re-save the file with torch.save in a recent PyTorch.`,
          );
        throw malformed(`unknown pickle instruction 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }
}
