import type { TopicDefinition } from '../relevance/interest-definition.js';
import { topicDefinitions } from './topic-definitions.js';

// The topic catalog papermail starts with: slugs (in readers' links: they never change), names and descriptions.
// What each topic matches is its definition (topic-definitions.ts). The query stays as the topic's full-text form:
// admin search and topics made by an admin with only a query (read as a definition by topic-interest.ts).

export interface TopicSeed {
  slug: string;
  name: string;
  description: string;
  query: string;
  definition: TopicDefinition;
}

const seeds: Omit<TopicSeed, 'definition'>[] = [
  {
    slug: 'speculative-decoding',
    name: 'Speculative decoding',
    description: 'Draft-and-verify decoding, multi-token prediction and other ways to generate faster.',
    query:
      '"speculative decoding" OR "speculative sampling" OR "draft model" OR "draft models" OR "draft tokens" OR "draft tree" OR "self-speculative" OR "multi-token prediction" OR "lookahead decoding" OR "draft-and-verify" OR "guess-and-verify" OR "lossless acceleration"',
  },
  {
    slug: 'llm-inference',
    name: 'LLM inference and serving',
    description: 'KV caches, quantization, batching and serving systems for large language models.',
    query:
      '"kv cache" OR "inference efficiency" OR "inference acceleration" OR "efficient inference" OR quantization OR "serving system" OR "inference latency" OR "memory bandwidth"',
  },
  {
    slug: 'tokenization',
    name: 'Tokenization',
    description: 'Tokenizers, vocabularies, byte-level and tokenizer-free models.',
    query:
      '"subword tokenization" OR "byte pair encoding" OR BPE OR "tokenizer-free" OR "byte-level" OR "vocabulary size" OR "tokenizer design" OR "tokenization scheme" OR "tokenizer training" OR "tokenization bias"',
  },
  {
    slug: 'speech-tokenizers',
    name: 'Speech tokenizers and audio codecs',
    description: 'Discrete speech and audio tokens, neural codecs and the language models built on them.',
    query:
      '"speech tokenizer" OR "audio tokenizer" OR "speech tokenization" OR "audio tokenization" OR "codec tokenizer" OR "speech codec" OR "audio codec" OR "acoustic codec" OR "neural codec" OR "acoustic tokens" OR "semantic tokens" OR "discrete speech" OR "audio tokens"',
  },
  {
    slug: 'speech-audio',
    name: 'Speech and audio',
    description: 'Text-to-speech, speech recognition, spoken dialogue and audio understanding.',
    query:
      'TTS OR "text-to-speech" OR "speech synthesis" OR "speech recognition" OR ASR OR "spoken dialogue" OR "speech language model" OR "audio language model" OR "voice cloning"',
  },
  {
    slug: 'diffusion-language-models',
    name: 'Diffusion language models',
    description: 'Masked and discrete diffusion for text generation, and diffusion LLMs.',
    query:
      '"diffusion language model" OR "diffusion language models" OR "masked diffusion" OR "discrete diffusion" OR "diffusion LLM" OR "diffusion LLMs" OR dLLM OR dLLMs OR "text diffusion"',
  },
  {
    slug: 'vision-language-models',
    name: 'Vision-language models',
    description: 'Multimodal LLMs that see: VLMs, MLLMs, visual question answering.',
    query:
      '"vision-language model" OR "vision language model" OR VLM OR VLMs OR "multimodal large language model" OR MLLM OR MLLMs OR "visual question answering" OR LVLM OR LVLMs',
  },
  {
    slug: 'visual-token-pruning',
    name: 'Visual token pruning',
    description: 'Dropping, merging and compressing visual tokens to make multimodal models cheaper.',
    query:
      '"visual token pruning" OR "token pruning" OR "prune visual tokens" OR "pruning visual tokens" OR "visual token compression" OR "token merging" OR "visual token reduction" OR "redundant visual tokens" OR "token compression" OR "token dropping" OR "token reduction" OR "excessive visual tokens"',
  },
  {
    slug: 'agents',
    name: 'LLM agents',
    description: 'Agents that plan, use tools, browse the web and operate computers.',
    query:
      '"llm agent" OR "llm agents" OR "language agent" OR agentic OR "tool use" OR "tool calling" OR "web agent" OR "gui agent" OR "computer use" OR "multi-agent"',
  },
  {
    slug: 'rl-for-llms',
    name: 'Reinforcement learning for LLMs',
    description: 'RLHF, RL with verifiable rewards, GRPO, reward models.',
    query:
      'RLHF OR GRPO OR RLVR OR "reward model" OR "reinforcement learning from human feedback" OR "verifiable rewards" OR "policy optimization" OR PPO OR DPO',
  },
  {
    slug: 'reasoning',
    name: 'Reasoning',
    description: 'Chain of thought, test-time scaling, math and code reasoning.',
    query:
      '"chain-of-thought" OR "chain of thought" OR "test-time scaling" OR "test-time compute" OR "mathematical reasoning" OR "reasoning model" OR "reasoning models" OR "long cot"',
  },
  {
    slug: 'image-video-generation',
    name: 'Image and video generation',
    description: 'Text-to-image and text-to-video models, diffusion transformers, editing.',
    query:
      '"image generation" OR "video generation" OR "text-to-image" OR "text-to-video" OR "diffusion transformer" OR "image editing" OR "video diffusion"',
  },
  {
    slug: 'robotics',
    name: 'Robotics and embodied AI',
    description: 'Robot learning, manipulation, vision-language-action models.',
    query:
      'robot OR robotic OR robotics OR "embodied agent" OR "embodied ai" OR "vision-language-action" OR VLA OR manipulation',
  },
  {
    slug: 'efficient-training',
    name: 'Efficient training',
    description: 'Mixture of experts, parameter-efficient fine-tuning, low precision and distributed training.',
    query:
      '"efficient training" OR "mixture of experts" OR MoE OR LoRA OR "parameter-efficient" OR "low-precision training" OR FP8 OR "distributed training"',
  },
  {
    slug: 'alignment-safety',
    name: 'Alignment and safety',
    description: 'Jailbreaks, red teaming, harmful content, alignment methods and interpretability.',
    query:
      'jailbreak OR "red teaming" OR "ai safety" OR "safety alignment" OR harmful OR "alignment" OR interpretability OR "reward hacking"',
  },
  {
    slug: 'retrieval',
    name: 'Retrieval and RAG',
    description: 'Retrieval-augmented generation, dense retrieval, reranking, embeddings.',
    query:
      '"retrieval-augmented" OR RAG OR "dense retrieval" OR reranking OR reranker OR "text embedding" OR "embedding model"',
  },
  {
    slug: 'evaluation',
    name: 'Evaluation and benchmarks',
    description: 'New benchmarks, evaluation methods, LLM-as-a-judge.',
    query: '"new benchmark" OR "we introduce a benchmark" OR "llm-as-a-judge" OR leaderboard OR "evaluation suite"',
  },
];

export const topicCatalog: TopicSeed[] = seeds.map((seed) => {
  const definition = topicDefinitions[seed.slug];
  if (!definition) throw new Error(`topic ${seed.slug} has no definition`);
  return { ...seed, definition };
});
