import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

/** Documented limits: depth may not exceed 10, a request may cost at most 10 000. */
export const MAX_DEPTH = 10;
export const MAX_COST = 10_000;

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

function selectionDepth(set: SelectionSetNode, fragments: Fragments, depth: number, visiting: Set<string>): number {
  let max = depth;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue; // introspection is not limited, as with graphql-depth-limit
      max = Math.max(max, sel.selectionSet ? selectionDepth(sel.selectionSet, fragments, depth + 1, visiting) : depth + 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, selectionDepth(sel.selectionSet, fragments, depth, visiting));
    } else {
      const fragment = fragments.get(sel.name.value);
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      max = Math.max(max, selectionDepth(fragment.selectionSet, fragments, depth, visiting));
      visiting.delete(fragment.name.value);
    }
  }
  return max;
}

/** Validation rule in the wording of graphql-depth-limit. */
export function depthLimitRule(maxDepth = MAX_DEPTH): ValidationRule {
  return (context) => {
    const fragments = new Map(
      context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    );
    return {
      OperationDefinition(node) {
        const depth = selectionDepth(node.selectionSet, fragments, 0, new Set());
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`'${node.name?.value ?? ''}' exceeds maximum operation depth of ${maxDepth}`, { nodes: [node] }));
        }
      },
    };
  };
}

interface CostSpec {
  complexity: number;
  multipliers: string[];
  useMultipliers: boolean;
}

function costSpec(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, composite: boolean): CostSpec {
  const directive = schema.getDirective('cost');
  const values = directive && field.astNode ? getDirectiveValues(directive, field.astNode) : undefined;
  return {
    complexity: typeof values?.complexity === 'number' ? values.complexity : composite ? 1 : 0,
    multipliers: Array.isArray(values?.multipliers) ? (values.multipliers as string[]) : [],
    useMultipliers: values?.useMultipliers !== false,
  };
}

/**
 * Cost estimate in the manner of graphql-cost-analysis (whose `@cost` signature CodeSignal's schema uses):
 * a field costs (its complexity + its children's cost) × the numeric arguments named as multipliers.
 */
export function operationCost(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Fragments, variables: Record<string, unknown>): number {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
  const visit = (parent: GraphQLCompositeType, set: SelectionSetNode, visiting: Set<string>): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) continue;
        const field = parent.getFields()[sel.name.value];
        if (!field) continue;
        const named = getNamedType(field.type);
        const spec = costSpec(schema, field, isCompositeType(named));
        let multiplier = 1;
        if (spec.useMultipliers && spec.multipliers.length) {
          let args: Record<string, unknown> = {};
          try {
            args = getArgumentValues(field, sel, variables);
          } catch {
            args = {};
          }
          for (const name of spec.multipliers) {
            const value = args[name];
            if (typeof value === 'number' && value > 0) multiplier *= value;
          }
        }
        const children = sel.selectionSet && isCompositeType(named) ? visit(named, sel.selectionSet, visiting) : 0;
        total += (spec.complexity + children) * multiplier;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += visit(type, sel.selectionSet, visiting);
      } else {
        const fragment = fragments.get(sel.name.value);
        const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
        if (!fragment || !type || !isCompositeType(type) || visiting.has(fragment.name.value)) continue;
        visiting.add(fragment.name.value);
        total += visit(type, fragment.selectionSet, visiting);
        visiting.delete(fragment.name.value);
      }
    }
    return total;
  };
  return visit(root, operation.selectionSet, new Set());
}

export function costError(cost: number, maxCost = MAX_COST): GraphQLError {
  return new GraphQLError(`The query exceeds the maximum cost of ${maxCost}. Actual cost is ${cost}`);
}

/** Documented per-field limit from `@rateLimit(max: …)`, if the root field has one. */
export function documentedRateLimit(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): number | undefined {
  const directive = schema.getDirective('rateLimit');
  const values = directive && field.astNode ? getDirectiveValues(directive, field.astNode) : undefined;
  return typeof values?.max === 'number' ? values.max : undefined;
}
